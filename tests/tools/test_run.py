"""`run`: exit codes, timeouts bounded by config, head-and-tail output, closed stdin."""

from __future__ import annotations

from tools.function_tool import FunctionTool
from tools.run import run

RUN = FunctionTool(run, settings={"max_timeout": 20, "output_limit": 600})


def test_exit_code_and_output(calc_ws) -> None:
    out = RUN(calc_ws, command="echo hello; ls calc.py")
    assert not out.error
    assert out.output == "exit code: 0\nhello\ncalc.py\n"
    assert out.data["exit_code"] == 0 and out.data["timed_out"] is False


def test_failing_command_is_a_normal_observation(calc_ws) -> None:
    out = RUN(calc_ws, command="python3 -c 'import calc; print(calc.add(2, 3))'; exit 3")
    assert out.output == "exit code: 3\n-1\n"
    assert not out.error


def test_no_output_is_said(calc_ws) -> None:
    assert RUN(calc_ws, command="true").output == "exit code: 0\n(no output)"


def test_timeout_kills_and_says_so(calc_ws) -> None:
    out = RUN(calc_ws, command="echo started; sleep 30", timeout=1)
    assert out.error
    assert out.output.startswith("The command was killed after 1 s (timeout).")
    assert "started" in out.output
    assert out.data["timed_out"] is True


def test_model_cannot_raise_the_timeout_above_config(calc_ws) -> None:
    short = FunctionTool(run, settings={"max_timeout": 1, "output_limit": 600})
    out = short(calc_ws, command="sleep 30", timeout=3600)
    assert out.data["timed_out"] is True
    assert "killed after 1 s" in out.output


def test_long_output_keeps_head_and_tail(calc_ws) -> None:
    out = RUN(calc_ws, command="seq 1 5000").output
    assert len(out) < 800
    assert out.startswith("exit code: 0\n1\n2\n3\n")
    assert out.rstrip().endswith("4999\n5000")
    assert "characters omitted" in out


def test_stdin_is_closed_so_interactive_commands_do_not_hang(calc_ws) -> None:
    out = RUN(calc_ws, command='read answer; echo "got:[$answer]"; python3 -c "input()"', timeout=10)
    assert out.data["timed_out"] is False
    assert "got:[]" in out.output and "EOFError" in out.output


def test_heredocs_and_trailing_comments_work(calc_ws) -> None:
    out = RUN(calc_ws, command="cat <<EOF\nline one\nEOF\necho done # a comment")
    assert out.output == "exit code: 0\nline one\ndone\n"


def test_runs_in_the_repository_root(calc_ws) -> None:
    assert RUN(calc_ws, command="pwd").output.splitlines()[1] == calc_ws.root


def test_empty_command_is_refused(calc_ws) -> None:
    assert RUN(calc_ws, command="   ").error
