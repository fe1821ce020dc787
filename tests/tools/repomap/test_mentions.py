"""What the issue mentions: paths, modules, identifiers, frames, error messages."""

from __future__ import annotations

from tools.repomap.mentions import extract_mentions
from tools.repomap.resolve import PathResolver

TRACEBACK = '''Calling `Session.send()` fails:

```
Traceback (most recent call last):
  File "/usr/lib/python3/site-packages/requests/sessions.py", line 476, in request
    resp = self.send(prep, **send_kwargs)
  File "/usr/lib/python3/site-packages/requests/adapters.py", line 410, in send
    raise ConnectionError(e)
requests.exceptions.ConnectionError: Connection aborted by peer while reading
```
See also requests/models.py and `requests.utils.get_netrc_auth`.
'''


def test_frames_paths_modules_and_errors() -> None:
    m = extract_mentions(TRACEBACK)
    assert [(f.path.rsplit("/", 2)[-2:], f.line, f.function) for f in m.frames] == [
        (["requests", "sessions.py"], 476, "request"), (["requests", "adapters.py"], 410, "send")]
    assert "requests/models.py" in m.paths
    assert "requests.utils.get_netrc_auth" in m.modules
    assert m.errors == [("ConnectionError", "Connection aborted by peer while reading")]


def test_identifiers_weigh_code_more_than_prose() -> None:
    m = extract_mentions("The session breaks when `merge_setting(a, b)` is used; HTTPAdapter too.")
    assert m.identifiers["merge_setting"] > m.identifiers["HTTPAdapter"] > m.identifiers["session"]
    assert "the" not in m.identifiers and "is" not in m.identifiers


def test_colon_style_frames() -> None:
    m = extract_mentions("src/_pytest/python.py:123: in collect\n    raise\nE   AssertionError")
    assert [(f.path, f.line, f.function) for f in m.frames] == [("src/_pytest/python.py", 123, "collect")]


def test_windows_paths() -> None:
    m = extract_mentions(r'File "C:\work\proj\pkg\mod.py", line 3, in <module>')
    assert m.frames[0].path == r"C:\work\proj\pkg\mod.py"
    assert PathResolver(["pkg/mod.py"]).path(m.frames[0].path) == (["pkg/mod.py"], 2)


def test_resolver_paths_and_modules() -> None:
    resolver = PathResolver(["src/pkg/__init__.py", "src/pkg/core.py", "docs/core.py"])
    assert resolver.path("/site-packages/pkg/core.py") == (["src/pkg/core.py"], 2)
    assert resolver.path("core.py") == (["src/pkg/core.py", "docs/core.py"], 1)
    assert resolver.module("pkg.core.Thing.method") == (["src/pkg/core.py"], 2, ["Thing", "method"])
    assert resolver.module("pkg.Thing") == (["src/pkg/__init__.py"], 1, ["Thing"])
    assert resolver.module("numpy.array") == ([], 0, ["numpy", "array"])


IMPORTS = '''`cse()` misbehaves

```python
import sympy as sp
import numpy as np
from astropy import units as u
from pkg.tools import (helper, other as renamed)
e = sp.cse(np.array([1]) * u.meter)
e.doit(np.linalg.norm(e), sp.Matrix.zeros(2))
```
function(s) in prose are not calls.
'''


def test_module_aliases_record_where_names_come_from() -> None:
    m = extract_mentions(IMPORTS)
    assert m.origins["cse"] == {"sympy"} and m.origins["array"] == {"numpy"} and m.origins["meter"] == {"astropy.units"}
    assert m.origins["helper"] == {"pkg.tools"} and m.origins["other"] == {"pkg.tools"}
    assert "cse" not in m.attributes and "array" not in m.attributes
    assert m.origins["norm"] == {"numpy.linalg"}  # through a module of the alias
    assert "doit" in m.attributes and "zeros" in m.attributes and "zeros" not in m.origins  # sp.Matrix is a class
    assert "cse" in m.calls  # `cse()` in the title is call syntax even in prose
    assert "function" not in m.calls


def test_type_error_names_its_callee() -> None:
    m = extract_mentions("TypeError: RST.__init__() got an unexpected keyword argument 'header_rows'\n"
                         "TypeError: render() missing 1 required positional argument: 'x'\n"
                         "TypeError: unsupported operand type(s) for +: 'int' and 'str'")
    assert m.callees == ["RST.__init__", "render"]
