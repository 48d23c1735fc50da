"""The switch adapter (交换机适配器): takes a SIP server's reports of the duty lines' calls and delivers
them to intake as ``TelephonyService.ReportLineEvent`` calls, with its own service credential.

Kamailio (deploy/switch/kamailio.cfg) posts each report over HTTP; the adapter answers once the
report is stored in its local queue and delivers from there, in order, retrying what cannot be
delivered now and setting aside (dead-lettering) what intake refuses. docs/telephony.md describes it.
"""
