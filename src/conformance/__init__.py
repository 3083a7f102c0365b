"""The conformance suite: the Genesys Cloud behaviours this service relies on, checked against the
emulator (``make conformance``) or a real org, with the same checks and the same HTTP client.

- :mod:`conformance.checks`: one check per behaviour: what the service assumes, the fact in
  docs/genesys-facts.md it rests on, the requests it may make, what it observed.
- :mod:`conformance.session` and :mod:`conformance.http`: every request, paced, with ``Retry-After``
  honoured, the reserved key prefix enforced and certificates always verified.
- :mod:`conformance.targets`: the emulator started in-process, or a real org.
- :mod:`conformance.runner`, :mod:`conformance.report`, :mod:`conformance.compare`,
  :mod:`conformance.facts`: the run and its cleanup, the reports, the org-versus-emulator comparison,
  and the facts a real-org run confirms or refutes.

docs/conformance.md explains how to run it against an org, what it writes and what it never does.
"""
