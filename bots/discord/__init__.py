"""The Discord adapter (discord.py): daily picks as DMs with persistent 👍/👎 buttons, emoji
reactions as votes, and the `/papers` app-command group, all over the platform-neutral command
layer and delivery worker. It never imports storage/ or bots.slack; paperbot.discord_runner
wires it.
"""
