"""Messages a person reads, through gettext: Chinese by default, English on request.

Every user-facing string goes through ``_()`` (or ``ngettext``) with an English
msgid; the Chinese catalog (``generator/locale/zh_CN/LC_MESSAGES/agreements.po``,
compiled to ``.mo`` by ``make``) translates it. ``N_()`` marks a string for
extraction where it is translated later (module-level constants).

The language comes from ``agreements --lang zh|en`` or else from the first set of
LANGUAGE (a colon list), LC_ALL, LC_MESSAGES, LANG — read as strings, never through
``setlocale``: Debian's minimal images have only the C locales. Unset, ``C`` or
``POSIX`` means Chinese, the language of the people who use the tool.

click's own messages (Usage:, Error:, No such option…) are ``gettext.gettext``
calls bound at click's import as module globals ``_`` and ``ngettext``; those
globals are pointed at this module's catalog (which carries click's msgids too), so
click speaks the same language as the rest (tests/test_environment.py checks the
private behaviour this relies on).
"""

from __future__ import annotations

import contextlib
import inspect

import gettext
import importlib
import os
from collections.abc import Mapping
from pathlib import Path

import click

DOMAIN = "agreements"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
# The catalog folder of each language that has one (English is the msgids themselves).
_CATALOGS = {"zh": "zh_CN"}
ENVIRONMENT_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# click's modules that call gettext (import-time bound names `_` / `ngettext`).
CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
                 "click.parser", "click.shell_completion", "click.termui", "click.types", "click.utils",
                 "click._termui_impl")

_override: str | None = None  # --lang; else the environment decides at each message
_loaded: dict[str, gettext.NullTranslations] = {}


class CatalogMissing(RuntimeError):
    """The compiled catalog is not there: `make` compiles it from the .po file."""


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` or ``en`` from the first set of LANGUAGE, LC_ALL, LC_MESSAGES, LANG."""
    environ = os.environ if environ is None else environ
    for variable in ENVIRONMENT_VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        # LANGUAGE is a preference list (``fr:en``); the others name one locale.
        names = value.split(":") if variable == "LANGUAGE" else [value]
        for name in names:
            language = language_of(name)
            if language:
                return language
        return DEFAULT_LANGUAGE  # the first set variable decides, even naming an unknown language
    return DEFAULT_LANGUAGE


def language_of(locale_name: str) -> str | None:
    """``zh_CN.UTF-8`` → ``zh``, ``en_GB`` → ``en``, ``C``/``POSIX`` → the default; else None."""
    base = locale_name.split(".")[0].split("@")[0].strip().lower()
    if base in ("c", "posix"):
        return DEFAULT_LANGUAGE
    language = base.replace("-", "_").split("_")[0]
    return language if language in LANGUAGES else None


def use_language(language: str | None) -> None:
    """Translate into ``language`` (``zh``/``en``) from now on; None: follow the environment."""
    global _override
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _override = language


def current_language() -> str:
    return _override or language_from_environment()


def language_in_arguments(args: list[str]) -> str | None:
    """The value of ``--lang`` on a command line, read before click parses it, so that
    click's own errors about the line are already in that language."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return language_of(arg.split("=", 1)[1])
        if arg == "--lang" and index + 1 < len(args):
            return language_of(args[index + 1])
    return None


def _load(language: str) -> gettext.NullTranslations:
    folder = _CATALOGS.get(language)
    if folder is None:
        return gettext.NullTranslations()  # English: the msgids are the English text
    mo_file = LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo_file.is_file():
        # Not a silent fall-back to English: the Chinese user would not know why.
        raise CatalogMissing(f"{mo_file} is missing: run `make setup` (it compiles the catalogs "
                             "with pybabel), or choose English with --lang en or LANGUAGE=en")
    with mo_file.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def _active() -> gettext.NullTranslations:
    return _catalog(current_language())


def _catalog(language: str) -> gettext.NullTranslations:
    if language not in _loaded:
        _loaded[language] = _load(language)
    return _loaded[language]


def in_language(language: str, message: str) -> str:
    """``message`` in ``language`` whatever the reader's: for files that are always Chinese
    (the customer sheet), whose bytes must not depend on who generated them."""
    return _catalog(language).gettext(message)


def _(message: str) -> str:
    return _active().gettext(message)


class Lazy(str):
    """A message worded now that can be worded again in another language.

    click's help texts are built when the command modules are imported, before ``--lang``
    is read; the command modules use :func:`lazy_gettext` as their ``_`` so that
    :func:`retranslate_click_help` can word every help text again in today's language.
    ``format()`` keeps the text lazy, its arguments too; pickling gives a plain str.
    """

    def __new__(cls, render):
        text = super().__new__(cls, render())
        text._render = render
        if _collecting:  # click keeps an option's help as a plain str (cleandoc): find it by text
            _help_texts[inspect.cleandoc(text)] = text
        return text

    def again(self) -> "Lazy":
        return Lazy(self._render)

    def format(self, *args, **kwargs) -> "Lazy":
        render = self._render
        return Lazy(lambda: str.format(render(), *map(worded, args),
                                       **{key: worded(value) for key, value in kwargs.items()}))

    def __reduce__(self):
        return (str, (str.__str__(self),))


_collecting = False
_help_texts: dict[str, Lazy] = {}  # the command modules' texts, by their words in any language read


@contextlib.contextmanager
def collecting_help_texts():
    """While the command modules are imported: remember every lazy text they word."""
    global _collecting
    _collecting = True
    try:
        yield
    finally:
        _collecting = False


def _again(text):
    """``text`` in today's language, when it is one of the command modules' texts."""
    lazy = text if isinstance(text, Lazy) else _help_texts.get(text) if isinstance(text, str) else None
    if lazy is None:
        return text
    fresh = lazy.again()
    _help_texts.setdefault(inspect.cleandoc(fresh), lazy)
    return fresh


def worded(value):
    """A :class:`Lazy` text in today's language; anything else as it is."""
    return value._render() if isinstance(value, Lazy) else value


def lazy_gettext(message: str) -> Lazy:
    return Lazy(lambda: _(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active().ngettext(singular, plural, n)


def N_(message: str) -> str:
    return message


# The C library's reasons (``strerror``) a user meets: its words, as msgids. Without
# setlocale they are always English; os_reason() says them in the reader's language.
_OS_REASONS = frozenset({
    N_("No such file or directory"), N_("Permission denied"), N_("No space left on device"),
    N_("Disk quota exceeded"), N_("Read-only file system"), N_("Is a directory"),
    N_("Not a directory"), N_("File exists"), N_("Address already in use"),
    N_("Cannot assign requested address"), N_("Name or service not known"),
    N_("Too many levels of symbolic links"), N_("File name too long"), N_("Input/output error"),
    N_("Operation not permitted"), N_("Directory not empty"), N_("Too many open files"),
})

# click's msgids that its source passes to gettext through a variable (``_(extra["required"])``
# in Option.get_help_extra), so extraction cannot see them: named here for the catalog.
_CLICK_RUNTIME_MSGIDS = (N_("required"),)


def os_reason(error: OSError) -> str:
    """Why the system refused, as ``strerror`` says it, in the reader's language."""
    text = error.strerror or str(error)
    return _(text) if text in _OS_REASONS else text


def require_catalog() -> None:
    """CatalogMissing now, when the chosen language's catalog cannot be read."""
    _active()


def _click_gettext(message: str) -> str:
    try:
        return _(message)
    except CatalogMissing:
        # click words a few names when the CLI's modules are imported (click.Path's
        # "directory"), before main() can report the missing catalog; main() reports it
        # right after (require_catalog), so these words are never the last ones shown.
        return message


def translate_click() -> None:
    """Point click's gettext calls at this catalog (see the module docstring)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def retranslate_click_help(command) -> None:
    """Give ``command`` and its subcommands click's help texts in today's language.

    click words its --help and --version options once: the help option when a command
    first shows its help (cached in ``Command._help_option``), the version option's help
    when the module declaring it is imported, before ``--lang`` is read. Both are renewed
    here, so they follow ``--lang`` and, in one process, every change of language.
    """
    command._help_option = None
    for attribute in ("help", "short_help", "epilog"):
        setattr(command, attribute, _again(getattr(command, attribute, None)))
    for param in command.params:
        param.help = _again(param.help)
        if isinstance(getattr(param, "deprecated", None), str):
            param.deprecated = _again(param.deprecated)
        if param.help in _in_every_language(_CLICK_DEFAULT_HELP):
            param.help = _(_CLICK_DEFAULT_HELP)
        if isinstance(param.type, click.Path):  # its name ("file") is worded in Path.__init__
            param.type.name = _(_path_kind(param.type))
    for child in getattr(command, "commands", {}).values():
        retranslate_click_help(child)


_CLICK_DEFAULT_HELP = "Show the version and exit."  # click's msgid (decorators.version_option)


def _path_kind(path_type) -> str:
    """The msgid click.Path.__init__ names a path type with."""
    if path_type.file_okay and not path_type.dir_okay:
        return "file"
    return "directory" if path_type.dir_okay and not path_type.file_okay else "path"


def _in_every_language(message: str) -> set[str]:
    # Only the catalogs already read: click worded the help in one of them, and English
    # must keep working without the compiled Chinese catalog.
    return {message, *(catalog.gettext(message) for catalog in _loaded.values())}


translate_click()
