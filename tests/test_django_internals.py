"""The few Django internals the shadowed `loaddata` and `dumpdata` rely on, checked by name and signature.

If a Django upgrade renames or reshapes any of them, these fail first and say which,
instead of the fast paths silently falling back or the one-line errors turning into
tracebacks. (The fast dumpdata's reliance on the serializer reading prefetched people is
checked by its constant query count in tests/test_fixture_fast_path.py.)
"""

import inspect

from django.core.management.commands import dumpdata, loaddata
from django.core.serializers.base import DeserializedObject


def option_names(command_class) -> set[str]:
    parser = command_class().create_parser("manage.py", command_class.__module__.rsplit(".", 1)[-1])
    return {action.dest for action in parser._actions}


def test_loaddata_still_saves_each_deserialized_object_through_save_obj():
    assert list(inspect.signature(loaddata.Command.save_obj).parameters) == ["self", "obj"]
    assert "self.using = " in inspect.getsource(loaddata.Command.loaddata) + inspect.getsource(loaddata.Command.handle)


def test_deserialized_objects_still_defer_unresolved_relations():
    assert "deferred_fields" in inspect.signature(DeserializedObject.__init__).parameters
    assert list(inspect.signature(DeserializedObject.save_deferred_fields).parameters) == ["self", "using"]


def test_the_options_the_shadowed_commands_read_still_exist():
    assert {"database", "app_label", "exclude", "ignore", "format", "verbosity"} <= option_names(loaddata.Command)
    assert {
        "format",
        "indent",
        "use_natural_foreign_keys",
        "use_natural_primary_keys",
        "use_base_manager",
        "exclude",
        "primary_keys",
        "database",
        "output",
    } <= option_names(dumpdata.Command)
