"""Import litellm only when a model is really used: the import takes seconds and would slow `agent --help`."""

from __future__ import annotations

import functools
import os
from types import ModuleType


@functools.cache
def litellm() -> ModuleType:
    """The litellm module, imported once, with the bundled price table and without its banners."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm as module

    module.suppress_debug_info = True
    return module
