"""The tolerant path: a document decoded into plain objects and read span by span, so one bad
span costs only itself; and salvage of text that is not valid JSON (cut or damaged)."""


import json
from typing import Any

import msgspec

from tracetui.loaders.other_signals import set_aside, signal_of
from tracetui.loaders.otlp_json.typed import resource_of, span_where, to_span
from tracetui.loaders.otlp_json.wire import CAMEL, SNAKE
from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.salvage import TOO_DEEP, Salvage, cut_otlp, documents, is_trailing_error, salvage
from tracetui.loaders.vocabulary import bad_span
from tracetui.model.span import Scope
from tracetui.model.values import key_values

_generic = msgspec.json.Decoder()


def fallback(doc: bytes, source: str, where: str, decode_error: str | None = None) -> Batch:
    """Decode into plain objects and convert span by span; report what does not fit."""
    if decode_error is not None:  # known not to be JSON: no second full decode into objects
        return salvage_document(doc, source, where, decode_error)
    try:
        obj = _generic.decode(doc)
    except msgspec.DecodeError as e:
        return salvage_document(doc, source, where, str(e))
    except RecursionError:
        return salvage_document(doc, source, where, TOO_DEEP_ERROR)
    return read_object(obj, source, where)


TOO_DEEP_ERROR = "nested too deeply"
NO_RESOURCE_SPANS = "not OTLP trace data (no resourceSpans)"
_DEEP_SPAN = "span nested too deeply to read (thousands of brackets, e.g. an attribute hundreds of levels deep): skipped"


def read_object(obj: Any, source: str, where: str) -> Batch:
    """An OTLP document decoded into plain objects, read span by span."""
    if isinstance(obj, dict):
        for key in ("trace", "result", "data"):
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        # A JSON list of requests (`jq -s`): each element read as a document of its own.
        out = Batch()
        for i, el in enumerate(obj):
            b = read_object(el, source, f"{where}[{i}]")
            out.spans.extend(b.spans)
            out.problems.extend(b.problems)
            out.logs.extend(b.logs)
        return out
    if not isinstance(obj, dict):
        return Batch(problems=[Problem(source, where, "not OTLP trace data (expected a JSON object)")])
    key = next((k for k in ("resourceSpans", "resource_spans", "batches") if k in obj), None)
    rss = obj[key] if key is not None else None
    if rss is None and any(k in obj for k in ("scopeSpans", "scope_spans", "instrumentationLibrarySpans")):
        rss, key = [obj], ""
    if rss is None:
        signal = signal_of(obj)
        if signal == "log":
            from tracetui.loaders.otlp_logs import read_logs_json

            return read_logs_json(msgspec.json.encode(obj), source, where)
        if signal is not None:
            return set_aside(source, where, signal)
        return Batch(problems=[Problem(source, where, NO_RESOURCE_SPANS)])
    batch = Batch()
    snake = "resource_spans" in obj or "scope_spans" in obj
    span_dec = msgspec.json.Decoder((SNAKE if snake else CAMEL)[2])
    ids: dict[str, str] = {}
    at = f"{where}: " if where else ""
    for r_i, rs in enumerate(_as_list(rss, key or "resourceSpans", where, batch, source)):
        r_loc = f"{at}resourceSpans[{r_i}]"
        if not isinstance(rs, dict):
            _not_an_object(rs, r_loc, batch, source)
            continue
        res = rs.get("resource") or {}
        if res == TOO_DEEP:
            batch.problems.append(Problem(source, f"{r_loc}.resource", "resource nested too deeply to read: "
                                          "its attributes were dropped (its spans are kept)"))
            res = {}
        resource = resource_of(res.get("attributes", []) if isinstance(res, dict) else [])
        ss_key = next((k for k in ("scopeSpans", "scope_spans", "instrumentationLibrarySpans") if k in rs),
                      "scopeSpans")
        for ss_i, ss in enumerate(_as_list(rs.get(ss_key, []), ss_key, r_loc, batch, source)):
            ss_loc = f"{r_loc}.scopeSpans[{ss_i}]"
            if not isinstance(ss, dict):
                _not_an_object(ss, ss_loc, batch, source)
                continue
            sc = ss.get("scope") or ss.get("instrumentationLibrary") or {}
            scope = Scope(str(sc.get("name", "")), str(sc.get("version", "")),
                          key_values(sc.get("attributes", []))) if isinstance(sc, dict) and sc != TOO_DEEP else Scope()
            for s_i, sp in enumerate(_as_list(ss.get("spans", []) or [], "spans", ss_loc, batch, source)):
                loc = span_where(where, (r_i, ss_i, s_i))
                if sp == TOO_DEEP:
                    batch.problems.append(Problem(source, loc, _DEEP_SPAN, 1))
                    continue
                try:
                    ws = span_dec.decode(msgspec.json.encode(sp))
                except msgspec.ValidationError as e:
                    batch.problems.append(Problem(source, loc, bad_span(e), 1))
                    continue
                except RecursionError:
                    batch.problems.append(Problem(source, loc, _DEEP_SPAN, 1))
                    continue
                span = to_span(ws, resource, scope, ids, batch, source, where, (r_i, ss_i, s_i))
                if span is not None:
                    batch.spans.append(span)
    return batch


def _as_list(value: Any, key: str, where: str, batch: Batch, source: str) -> list:
    """A list the format asks for; one object where a list belongs is read as a list of one
    (the spans in it are kept, with a warning); anything else is reported."""
    if isinstance(value, list):
        return value
    loc = f"{where}.{key}" if where else key
    if isinstance(value, dict):
        batch.problems.append(Problem(source, loc, "an object, not a list: read as a list of one",
                                      warning=True))
        return [value]
    batch.problems.append(Problem(source, loc, f"{_json_type(value)}, not a list: what it holds was skipped"))
    return []


def _not_an_object(value: Any, where: str, batch: Batch, source: str) -> None:
    batch.problems.append(Problem(source, where, f"{_json_type(value)}, not an object: skipped"))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


class _Nothing(msgspec.Struct):
    """Decoding into this only checks the JSON (every field is skipped): fast, no objects made."""


_check = msgspec.json.Decoder(_Nothing)


def _decodes(doc: bytes) -> bool:
    try:
        _check.decode(doc)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return False
    return True


def salvage_document(doc: bytes, source: str, where: str, error: str) -> Batch:
    """A document that is not valid JSON: keep every complete span before the damage.

    Documents written back to back (`cat a.json b.json`) are read one by one instead."""
    from tracetui.loaders.otlp_json.document import read_document, read_pieces  # (they call back here)

    if not isinstance(doc, bytes):
        doc = bytes(doc)  # a memoryview (a line of JSON Lines): salvage needs bytes
    if is_trailing_error(error):
        pieces = documents(doc)
        if len(pieces) > 1:
            return read_pieces(pieces, source, where)
    fast = cut_otlp(doc, _decodes) if "truncated" in error else None
    if fast is not None:
        repaired, cut = fast
        batch = read_document(repaired, source, where, single=False) or Batch()
        got = Salvage(True, cut, True)
    else:
        got = salvage(doc)
        batch = _read_salvaged(got.value, source, where) if got.value else Batch()
        if got.complete:
            return batch  # read to its end: only leaves nested too deeply were left out (reported)
    recovered = len(batch.spans)
    what = "it ends early" if got.truncated else "damaged"
    if not recovered:
        # Nothing to keep: one plain line (inside a line of JSON Lines the line number says where).
        at = f" at byte {got.stop_byte:,}" if not where else ""
        batch.problems = [p for p in batch.problems if "no resourceSpans" not in p.message and p.warning]
        batch.problems.append(Problem(source, where, f"not valid JSON ({error}; {what}{at}): no complete span in it"))
        return batch
    loc = f"{where}: byte {got.stop_byte:,}" if where else f"byte {got.stop_byte:,}"
    spans = f"{recovered} complete span{'s' if recovered != 1 else ''}"
    if got.truncated:
        msg = (f"not valid JSON: it ends early (the input is cut at byte {len(doc):,}): read the {spans} before this "
               "point; the incomplete rest was skipped")
    else:
        msg = (f"not valid JSON, damaged ({error}): read the {spans} before this point; "
               f"the remaining {len(doc) - got.stop_byte:,} bytes were skipped")
    batch.problems.append(Problem(source, loc, msg))
    return batch


def _read_salvaged(value: Any, source: str, where: str) -> Batch:
    try:
        data = _encode(value)
    except RecursionError:
        return read_object(value, source, where)
    return fallback(data, source, where)


def _encode(value: Any) -> bytes:
    """JSON of a salvaged value. Salvage reads text with invalid UTF-8 kept as lone surrogates
    (`surrogateescape`), which msgspec refuses to encode: those become U+FFFD."""
    try:
        return msgspec.json.encode(value)
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=False)
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").encode("utf-8")
