"""Agency distribution (外部单位分发): agency subscriptions, their NATS access and credentials, the event
feed and its renditions (JSON, CAP 1.2), webhook deliveries, and the agency RPCs."""
