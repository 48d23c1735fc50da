"""Telephony (电话交换): duty lines, the switch's call events, missed calls and line figures."""
