"""A small iCalendar reader for the tests: unfolds lines, splits parameters, unescapes text (RFC 5545)."""

import datetime
import re


def _split_outside_quotes(text, separator):
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == separator and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def unescape(value):
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse(text):
    """``[(name, params, value)]`` of every content line; checks CRLF line ends and 75-octet lines."""
    assert text.endswith("\r\n")
    for physical in text.split("\r\n"):
        assert len(physical.encode()) <= 75, physical
    assert "\n" not in text.replace("\r\n", "")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    properties = []
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        head, value = _split_outside_quotes(line, ":")[0], line[len(_split_outside_quotes(line, ":")[0]) + 1 :]
        name, *raw_params = _split_outside_quotes(head, ";")
        params = dict(p.split("=", 1) for p in raw_params)
        properties.append((name.upper(), {k: v.strip('"') for k, v in params.items()}, value))
    return properties


def event(text):
    """The single VEVENT's properties as a dict (text values unescaped), plus ``METHOD``."""
    properties = parse(text)
    names = [name for name, _p, _v in properties]
    assert names[0] == "BEGIN" and properties[0][2] == "VCALENDAR"
    assert names.count("BEGIN") == 2 and names.count("END") == 2
    found = {"METHOD": next(v for n, _p, v in properties if n == "METHOD")}
    inside = False
    for name, params, value in properties:
        if name == "BEGIN" and value == "VEVENT":
            inside = True
        elif name == "END" and value == "VEVENT":
            inside = False
        elif inside:
            found[name] = unescape(value) if name in {"SUMMARY", "LOCATION", "DESCRIPTION"} else value
            found[f"{name}_PARAMS"] = params
    return found


def utc(value):
    assert value.endswith("Z"), value
    return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
