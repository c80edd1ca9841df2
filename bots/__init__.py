"""Chat adapters: the platform-neutral command grammar (bots.commands) and the texts, and one
package per platform (bots.slack, bots.discord, bots.console) that parses events into it and
renders engine.chat's messages back. Rules and data live in engine/; bots/ never touches a
repository, not even through an attribute."""
