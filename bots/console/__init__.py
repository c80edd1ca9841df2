"""The terminal adapter: the whole product without a Slack or Discord account.

`render` turns the neutral messages into text, `notifier` prints (or appends to a file) the daily
picks, `chat` is the read-eval loop behind `paperbot chat` (`/papers ...` commands, `+1 <paper>` /
`-1 <paper>` reactions; reads stdin line by line when it is not a terminal, so it can be scripted).
"""
