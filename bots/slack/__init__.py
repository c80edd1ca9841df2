"""The Slack adapter (slack-bolt): renders the neutral messages as Block Kit, turns Slack's
commands, button clicks, reactions and Home-tab visits into command-layer calls, and posts the
daily picks as DMs for the delivery worker.

Nothing here opens a database or reads the environment; paperbot/slack_runner.py wires it.
"""
