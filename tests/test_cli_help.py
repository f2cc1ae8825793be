"""Every `peelkg` command answers --help; `peelkg --version` prints the version."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from peelkg import __version__
from peelkg.cli import main


def all_commands(group: click.Group, prefix=()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append(prefix + (name,))
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, prefix + (name,))
    return out


COMMANDS = all_commands(main)


def test_the_core_commands_are_registered():
    assert {("build",), ("export",), ("stats",), ("validate",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help(path):
    res = CliRunner().invoke(main, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"Usage: main {' '.join(path)} ") or res.stdout.startswith(
        f"Usage: peelkg {' '.join(path)} ")
    assert "Traceback" not in res.output
    # the command says what it does, not just its options
    assert len(res.stdout.split("Options:")[0].strip().splitlines()) >= 2


def test_group_help_lists_every_command():
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    for (name,) in [c for c in COMMANDS if len(c) == 1]:
        assert f"  {name} " in res.stdout or f"  {name}\n" in res.stdout


def test_version():
    res = CliRunner().invoke(main, ["--version"])
    assert res.exit_code == 0
    assert res.stdout == f"peelkg, version {__version__}\n"


def test_build_help_documents_exit_codes():
    res = CliRunner().invoke(main, ["build", "--help"])
    assert "Exit status: 0 built; 1 error" in res.stdout and "3 built with --keep-going" in res.stdout
