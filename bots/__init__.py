"""Chat adapters: the platform-neutral command layer and message model, and one package per
platform (bots.slack, bots.discord, bots.console) that parses events into it and renders it back."""
