"""`envagin tui`: the full-screen face of the register (Textual), over the same domain
functions, register and messages as the commands.

`model` knows no Textual: what each screen shows and what each form writes, read and
written through the domain (the bench and the tests use it directly). `app` is the
Textual program; only `envagin tui` imports it, so no other command pays for Textual.

May import: every layer below the command line (interchange, output, report, domain,
store, rules). Never the command line.
"""
