"""The process of one leader's instruction (领导批示/指令), run by the incident worker."""
