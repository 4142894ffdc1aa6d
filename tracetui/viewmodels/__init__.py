"""View models: what the screens show, as plain data and pure functions (no Textual).

Between the analysis and the UI: the visible rows of a trace's tree (`rows`), the trace list as a
sorted, filtered index (`trace_list`), the detail pane's fields (`span_fields`), the projection of
times onto cells (`layout`), text cells (`cells`) and the waterfall's zoom, search and stepping
(`waterfall`). Everything here is tested without a terminal; widgets only draw what it says.
"""
