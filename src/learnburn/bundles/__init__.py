"""Model bundles: a fitted pipeline with its schema, decision and metadata, saved without
pickle (skops, with an allow-list of types) in a versioned, verified directory or ``.lbm`` file.
"""

from learnburn.bundles._archive import pack_bundle, unpack_bundle
from learnburn.bundles._bundle import Bundle
from learnburn.bundles._compiled import CompiledModel, compile_model, import_in_background
from learnburn.bundles._format import FORMAT, VERSION
from learnburn.bundles._load import load_bundle, saved_scoring_summary
from learnburn.bundles._save import copy_without_reference_sample, save_bundle, sign_bundle
from learnburn.bundles._signature import generate_key, read_private_key, read_public_key
from learnburn.bundles._trust import ALLOWED, dump_model

__all__ = [
    "ALLOWED",
    "FORMAT",
    "VERSION",
    "Bundle",
    "CompiledModel",
    "compile_model",
    "copy_without_reference_sample",
    "dump_model",
    "generate_key",
    "import_in_background",
    "load_bundle",
    "pack_bundle",
    "read_private_key",
    "read_public_key",
    "save_bundle",
    "saved_scoring_summary",
    "sign_bundle",
    "unpack_bundle",
]
