"""``python -m motflow_ml.torchrun ARGS``: torchrun (``torch.distributed.run``) as it is, except on
torch 1.13 under Python 3.11 (Debian 12's CPU torch, where the tests run): there its parsing of
``--redirects``/``--tee`` turns the default "0" into None (3.11 no longer lists a zero-valued flag when
iterating the enum) and every launch fails. The parser is replaced by one that builds the flag from
its value; where torch parses correctly nothing is changed.
"""
import re
import sys

from torch.distributed.elastic.multiprocessing import api
from torch.distributed.run import main as torchrun_main


def _parse_std(cls, vm):
    vm = str(vm).strip()
    if re.fullmatch(r"[0-3]", vm):
        return cls(int(vm))
    if re.fullmatch(r"([0-9]+:[0-3])(,[0-9]+:[0-3])*", vm):
        return {int(i): cls(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
    raise ValueError(f"{vm!r} is not a std stream setting (0-3, or a mapping like 0:3,1:0)")


def patch_std_parsing():
    if api.Std.from_str("0") is not api.Std.NONE:
        api.Std.from_str = classmethod(_parse_std)
        return True
    return False


if __name__ == "__main__":
    patch_std_parsing()
    sys.exit(torchrun_main())
