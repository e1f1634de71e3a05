"""`Record`: `typing.NamedTuple` to a type checker, `collections.namedtuple` at run time (issue 21).

`typing.NamedTuple` compiles each field's annotation (a string, under `from __future__
import annotations`) into a `ForwardRef` as the class is made: the pipeline's two dozen
records cost ~13 ms of a ~80 ms cold start. A `Record` is the same named tuple, its
annotations kept as written (`typing.get_type_hints` resolves them), with its fields'
defaults, docstring and methods; nothing here imports `typing`.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; type checkers take the name as true
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:

    class _RecordType(type):
        def __new__(cls, name, bases, namespace):
            if not bases:  # `Record` itself
                return super().__new__(cls, name, bases, namespace)
            annotations = namespace.get("__annotations__", {})
            with_default = [field for field in annotations if field in namespace]
            if with_default != list(annotations)[len(annotations) - len(with_default) :]:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            record = namedtuple(
                name, annotations, defaults=[namespace[field] for field in with_default], module=namespace["__module__"]
            )
            record.__annotations__ = record.__new__.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key not in ("__module__", "__annotations__") and key not in annotations:
                    setattr(record, key, value)
            return record

    class Record(metaclass=_RecordType):
        """Subclass it as `typing.NamedTuple`: the class made is a plain named tuple."""
