"""dutyline — central 24/7 emergency duty platform (应急值班值守平台).

This package is the shared runtime (config, logging, database, outbox, gRPC kit, auth, CLI, the
embedded stack); dutyline/<area>/v1/ holds the code generated from protos/.
"""
