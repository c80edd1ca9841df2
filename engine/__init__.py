"""The application: every use case of paperbot (PaperService, planning, accounts, the delivery
outbox, votes, cards) over ports, with time passed in.

Imports only the standard library and recommender/: no SQL, no chat SDK, no scheduler, no
network (import-linter checks it). storage/ implements engine.ports; bots/ renders engine.chat.
"""
