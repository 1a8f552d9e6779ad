"""The command line imports only the module of the command it runs; its table of commands is
what the modules register."""

import subprocess
import sys

from scp_metrics.cli import COMMAND_MODULES, COMMANDS, build_parser


def _commands(parser):  # noqa: ANN001, ANN202
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def test_the_table_names_every_registered_command_and_its_module():
    assert _commands(build_parser()) == set(COMMANDS)
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)
    for command, module in COMMANDS.items():
        assert command in _commands(build_parser(command)), (command, module)
        assert len(_commands(build_parser(command))) <= 2  # its module's commands only


def test_sample_imports_neither_the_steps_nor_scipy():
    code = ("import sys\nfrom scp_metrics.cli import build_parser\nbuild_parser('sample')\n"
            "print(sorted(m for m in ('scp_metrics.steps', 'scipy', 'statsmodels', 'duckdb') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
