"""`agreements desk`: the sales team's web desk (Starlette on uvicorn, pages in Chinese).

It issues contracts through the command line's own validation and batch writer,
follows each one in the register (:mod:`generator.contracts.register`), and checks
the copy 甲方 signed with verify's Python API. Only ``cli/`` imports this room.
"""
