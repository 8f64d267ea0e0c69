"""The Python side of Cambrian's trusted evaluation library: both ends of the
judge protocol (kernels/PROTOCOL.md), standard library only.

  from cambrian_kernels import judge, worker, report, declarations

Use with PYTHONPATH=$CAMBRIAN_KERNELS/python. A judge imports `judge` and
`report`; a worker imports `worker`. `protocol` is the wire format both share.
Everything in a worker's process, this library included, is the candidate's
to change: the guarantees come from the judge's side.
"""
