"""Django's `dumpdata`, with the trivia app written by `trivia.exports` in a few queries.

Stock `dumpdata trivia --natural-foreign --natural-primary` asks the database for each
citation's fact and source and each fact's people to write their natural keys: about
three queries per fact (docs/performance.md). `export_trivia`
writes the same bytes with those rows fetched up front. This command (it shadows the
built-in one because `trivia` is an installed app) takes that path when the request is
exactly what the writer produces: trivia models only, JSON, natural foreign and primary
keys, the default database and manager, no `--pks`/`--exclude`, an uncompressed file or
standard output. Anything else is the stock command, unchanged.
"""

import os

from django.apps import apps
from django.core import serializers
from django.core.management.base import CommandError
from django.core.management.commands import dumpdata
from django.db import DEFAULT_DB_ALIAS

from trivia import exports

COMPRESSED_EXTENSIONS = {".bz2", ".gz", ".lzma", ".xz", ".zip"}


def trivia_models_requested(app_labels) -> list | None:
    """The trivia models `app_labels` name, in dumpdata's order; None if anything else is asked for."""
    if not app_labels:
        return None
    trivia = apps.get_app_config("trivia")
    wanted = []
    for label in app_labels:
        app_label, _, model_name = label.partition(".")
        if app_label != "trivia":
            return None
        if not model_name:
            wanted = None
            break
        try:
            model = trivia.get_model(model_name)
        except LookupError:
            return None  # the stock command names the unknown model
        if wanted is not None and model not in wanted:
            wanted.append(model)
    everything = serializers.sort_dependencies([(trivia, None)], allow_cycles=True)
    if wanted is None:
        return everything
    ordered = serializers.sort_dependencies([(trivia, wanted)], allow_cycles=True)
    # The writer emits models in the whole app's order; a subset sorted differently is left to Django.
    return ordered if ordered == [model for model in everything if model in ordered] else None


class Command(dumpdata.Command):
    help = (
        dumpdata.Command.help + " The trivia app with natural keys in JSON is written in a few queries, "
        "whatever the number of facts."
    )

    def handle(self, *app_labels, **options):
        models = self.fast_path_models(app_labels, options)
        if models is None:
            return super().handle(*app_labels, **options)
        selection = exports.select_everything()
        for name, queryset in vars(selection).items():
            if queryset.model not in models:
                setattr(selection, name, queryset.none())
        output = options["output"]
        self.stdout.ending = None
        try:
            if output:
                # As the stock command opens it, so the bytes are the same.
                with open(output, "w") as stream:
                    exports.write_fixture(selection, stream, indent=options["indent"])
            else:
                exports.write_fixture(selection, self.stdout, indent=options["indent"])
        except Exception as exc:
            if options["traceback"]:
                raise
            raise CommandError(f"Unable to serialize database: {exc}") from exc

    def fast_path_models(self, app_labels, options) -> list | None:
        output = options["output"]
        if (
            options["format"] != "json"
            or not options["use_natural_foreign_keys"]
            or not options["use_natural_primary_keys"]
            or options["use_base_manager"]
            or options["exclude"]
            or options["primary_keys"]
            or options["database"] != DEFAULT_DB_ALIAS
            or (output and os.path.splitext(output)[1] in COMPRESSED_EXTENSIONS)
        ):
            return None
        return trivia_models_requested(app_labels)
