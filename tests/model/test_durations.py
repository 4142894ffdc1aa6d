"""One duration grammar for the filter language, the command line and the config file."""

import pytest

from tracetui.model import durations, query
from tracetui.sources.backends import params
from tracetui.sources.backends.config import ConfigError, named

SAME = ["200ms", "1.5s", ".5s", "250us", "250µs", "42ns", "3m", "1h", "1h30m", "1m30s", "2d", "7", "1H"]


@pytest.mark.parametrize("text", SAME)
def test_filter_and_command_line_read_a_duration_alike(text):
    ns = durations.parse_duration(text)
    assert query.parse_duration(text) == params.parse_duration(text) == ns
    assert query.parse_query(f"duration>{text}").terms[0].duration == (">", ns)


@pytest.mark.parametrize("bad", ["fast", "3x", "1h3", "", "-1s", "1.2.3s"])
def test_filter_and_command_line_refuse_the_same_text(bad):
    with pytest.raises(query.QueryError):
        query.parse_duration(bad)
    with pytest.raises(params.ParamError):
        params.parse_duration(bad)


def test_the_config_timeout_takes_the_same_durations_and_bare_seconds(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[backends.a]\nurl = "jaeger+http://h:16686"\ntimeout = "1m30s"\n'
                    '[backends.b]\nurl = "jaeger+http://h:16686"\ntimeout = 5\n'
                    '[backends.c]\nurl = "jaeger+http://h:16686"\ntimeout = "soon"\n')
    assert named("a", path).timeout == 90.0
    assert named("b", path).timeout == 5.0
    with pytest.raises(ConfigError, match="c: timeout: not a duration"):
        named("c", path)
