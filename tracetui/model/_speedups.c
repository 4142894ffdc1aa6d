/* The two loops that run once per span of everything loaded, compiled (model/speedups.py).

   Each does exactly what a Python function does, and that function stays the reference: it runs
   wherever this module was not built, and tests/model/test_speedups.py holds the two equal.
     - `finish`: the fast converter's inner loop (loaders/otlp_json/fast.py, `FastConverter.convert`).
     - `figures`: `python_light_figures` (model/trace.py).
   Both answer None, having changed nothing, for anything but what the loaders make (spans of the
   expected classes, string ids, int times that fit in 64 bits, ...): the caller runs the Python
   loop then. So no Python code runs inside either loop, except `callee_shift` in `figures`, called
   with references this module holds.

   Static state (the classes and offsets below) is set by `setup` at import and when a class is
   first seen; a loop copies what it uses of it that could change.

   Fields are read and written at the offsets of `Span`'s member descriptors; the decoder's span
   class (the first span's) is checked once to have `Span`'s layout, and the status struct's class
   (the first met) to have `code` and `message` slots. `Span` is a msgspec struct with gc=False: the collector
   does not track it, so storing into it needs no more than the reference counts. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

enum { F_TRACE, F_SPAN, F_PARENT, F_NAME, F_KIND, F_START, F_END, F_STATUS, F_MESSAGE, F_RESOURCE, F_SCOPE,
       F_ATTRS, F_EVENTS, F_LINKS, N_FIELDS };
static const char *FIELD_NAMES[N_FIELDS] = {
    "trace_id", "span_id", "parent_id", "name", "kind", "start_ns", "end_ns", "status", "status_message",
    "resource", "scope", "raw_attributes", "raw_events", "raw_links"};

static PyTypeObject *span_cls = NULL;      /* the model's Span */
static PyTypeObject *resource_cls = NULL;  /* the model's Resource */
static PyTypeObject *raw_cls = NULL;       /* msgspec.Raw */
static PyTypeObject *status_cls = NULL;    /* the last status struct class met (wire.py's) */
static Py_ssize_t off[N_FIELDS];
static Py_ssize_t status_code_off, status_message_off, service_off;
#define N_CHECKED 8
static PyTypeObject *checked[N_CHECKED];   /* fast classes known to have Span's layout (held) */

/* Every 1,024 spans, let another thread that waits for the interpreter have it (as the Python
   loop would every switch interval: the interface stays answered while a big list is done here).
   Everything these loops hold is their own meanwhile: the spans tuple, fresh dicts and sets, and
   the converter's batch, which no other thread sees before it is handed out. */
#define GIVE_WAY(i)                               \
    if (((i) & 1023) == 1023) {                   \
        Py_BEGIN_ALLOW_THREADS Py_END_ALLOW_THREADS \
    }

#define GET(obj, f) (*(PyObject **)((char *)(obj) + off[f]))
#define AT(obj, o) (*(PyObject **)((char *)(obj) + (o)))

/* obj.field = value (the span takes a new reference to value). */
static inline void put(PyObject *obj, int f, PyObject *value) {
    PyObject **slot = (PyObject **)((char *)obj + off[f]);
    PyObject *old = *slot;
    Py_INCREF(value);
    *slot = value;
    Py_XDECREF(old);
}

static Py_ssize_t member_offset(PyTypeObject *cls, const char *name) {
    PyObject *d = PyObject_GetAttrString((PyObject *)cls, name);
    if (d == NULL) return -1;
    Py_ssize_t o = -1;
    if (Py_IS_TYPE(d, &PyMemberDescr_Type)) {
        PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
        if (m->type == T_OBJECT_EX || m->type == T_OBJECT) o = m->offset;
    }
    Py_DECREF(d);
    if (o < 0 && !PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", cls->tp_name, name);
    return o;
}

static PyObject *setup(PyObject *self, PyObject *args) {
    PyTypeObject *s, *r, *raw;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyType_Type, &s, &PyType_Type, &r, &PyType_Type, &raw)) return NULL;
    for (int i = 0; i < N_FIELDS; i++)
        if ((off[i] = member_offset(s, FIELD_NAMES[i])) < 0) return NULL;
    if ((service_off = member_offset(r, "service")) < 0) return NULL;
    Py_XSETREF(span_cls, (PyTypeObject *)Py_NewRef(s));
    Py_XSETREF(resource_cls, (PyTypeObject *)Py_NewRef(r));
    Py_XSETREF(raw_cls, (PyTypeObject *)Py_NewRef(raw));
    Py_CLEAR(status_cls);
    for (int i = 0; i < N_CHECKED; i++) Py_CLEAR(checked[i]);
    Py_RETURN_NONE;
}

/* Whether `cls` is a subclass of Span with Span's size and field offsets (then a span of it can
   become a plain Span, as `span.__class__ = Span` does in Python). */
static int same_layout(PyTypeObject *cls) {
    for (int i = 0; i < N_CHECKED; i++)
        if (checked[i] == cls) return 1;
    if (!PyType_IsSubtype(cls, span_cls) || cls->tp_basicsize != span_cls->tp_basicsize || cls->tp_itemsize != 0 ||
        cls->tp_dictoffset != 0 || cls->tp_weaklistoffset != 0 || cls->tp_dealloc != span_cls->tp_dealloc ||
        PyType_IS_GC(cls) || PyType_IS_GC(span_cls))
        return 0;
    for (int i = 0; i < N_FIELDS; i++) {
        Py_ssize_t o = member_offset(cls, FIELD_NAMES[i]);
        if (o < 0) {
            PyErr_Clear();
            return 0;
        }
        if (o != off[i]) return 0;
    }
    for (int i = 0; i < N_CHECKED; i++)
        if (checked[i] == NULL) {
            checked[i] = (PyTypeObject *)Py_NewRef(cls);
            break;
        }
    return 1;
}

/* The offsets of a status class's `code` and `message` (looked up once per class): 1, or 0 when
   it has no such slots. */
static int status_layout(PyTypeObject *cls, Py_ssize_t *code, Py_ssize_t *message) {
    if (cls != status_cls) {
        Py_ssize_t c = member_offset(cls, "code"), m;
        if (c < 0 || (m = member_offset(cls, "message")) < 0) {
            PyErr_Clear();
            return 0;
        }
        status_code_off = c;
        status_message_off = m;
        Py_XSETREF(status_cls, (PyTypeObject *)Py_NewRef(cls));
    }
    *code = status_code_off;
    *message = status_message_off;
    return 1;
}

static inline int is_raw_or_none(PyObject *v) { return v == Py_None || Py_IS_TYPE(v, raw_cls); }

/* The status structs of one list: their class (the first met) and its offsets. */
typedef struct {
    PyTypeObject *cls;
    Py_ssize_t code, message;
} Statuses;

/* Whether a decoded span is what `finish` takes: of the list's class, every field set, ids and
   name strings, times ints, the status an int or a struct (of one class for the whole list) with
   an int code and a string message. */
static int finishable(PyObject *s, PyTypeObject *fast, Statuses *status) {
    if (Py_TYPE(s) != fast) return 0;
    for (int f = 0; f < N_FIELDS; f++)
        if (GET(s, f) == NULL) return 0;
    if (!PyUnicode_CheckExact(GET(s, F_TRACE)) || !PyUnicode_CheckExact(GET(s, F_SPAN)) ||
        !PyUnicode_CheckExact(GET(s, F_PARENT)) || !PyUnicode_CheckExact(GET(s, F_NAME)) ||
        !PyLong_CheckExact(GET(s, F_START)) || !PyLong_CheckExact(GET(s, F_END)) ||
        !is_raw_or_none(GET(s, F_ATTRS)) || !is_raw_or_none(GET(s, F_EVENTS)) || !is_raw_or_none(GET(s, F_LINKS)))
        return 0;
    PyObject *st = GET(s, F_STATUS);
    if (PyLong_CheckExact(st)) return 1;
    if (status->cls == NULL) {
        if (!status_layout(Py_TYPE(st), &status->code, &status->message)) return 0;
        status->cls = Py_TYPE(st);
    } else if (Py_TYPE(st) != status->cls) {
        return 0;
    }
    PyObject *code = AT(st, status->code), *message = AT(st, status->message);
    return code != NULL && message != NULL && PyLong_CheckExact(code) && PyUnicode_CheckExact(message);
}

/* Empty raw JSON ("[]", "{}": fewer than 3 bytes) becomes None. */
static inline void drop_empty(PyObject *s, int f) {
    PyObject *t = GET(s, f);
    if (t != Py_None && PyObject_Length(t) < 3) put(s, f, Py_None);
}

/* Share `*t`, a string field of `s`, through `strings`: 0, or -1 with an error. */
static inline int share(PyObject *s, int f, PyObject *strings) {
    PyObject *t = GET(s, f);
    PyObject *u = PyDict_SetDefault(strings, t, t);
    if (u == NULL) return -1;
    if (u != t) put(s, f, u);
    return 0;
}

static PyObject *finish(PyObject *self, PyObject *args) {
    PyObject *list, *resource, *scope, *groups, *strings, *seen, *names;
    if (!PyArg_ParseTuple(args, "O!OOO!O!O!O!", &PyList_Type, &list, &resource, &scope, &PyDict_Type, &groups,
                          &PyDict_Type, &strings, &PySet_Type, &seen, &PyDict_Type, &names))
        return NULL;
    if (span_cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.setup was not called");
        return NULL;
    }
    if (PyList_GET_SIZE(list) == 0) Py_RETURN_FALSE;
    PyTypeObject *fast = Py_TYPE(PyList_GET_ITEM(list, 0));  /* the decoder's span class */
    if (!same_layout(fast)) Py_RETURN_NONE;
    PyObject *spans = PyList_AsTuple(list);  /* (ours: whatever happens to the list meanwhile) */
    if (spans == NULL) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(spans);
    Statuses status = {NULL, 0, 0};  /* (ours: the statics could change while another thread runs) */
    for (Py_ssize_t i = 0; i < n; i++)
        if (!finishable(PyTuple_GET_ITEM(spans, i), fast, &status)) {
            Py_DECREF(spans);
            Py_RETURN_NONE;
        }
    int careful = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        GIVE_WAY(i);  /* (before any field is read) */
        PyObject *s = PyTuple_GET_ITEM(spans, i);
        if (Py_TYPE(s) == fast) {  /* (not when the same span is listed twice, the second time) */
            Py_INCREF(span_cls);
            Py_SET_TYPE(s, span_cls);  /* the span becomes a plain Span */
            Py_DECREF(fast);
        }
        put(s, F_RESOURCE, resource);
        put(s, F_SCOPE, scope);

        /* Its trace's group, and the group's trace id string. */
        PyObject *t = GET(s, F_TRACE);
        PyObject *g = PyDict_GetItemWithError(groups, t);
        if (g == NULL) {
            if (PyErr_Occurred()) goto error;
            PyObject *l = PyList_New(1);
            if (l == NULL) goto error;
            PyList_SET_ITEM(l, 0, Py_NewRef(s));
            int r = PyDict_SetItem(groups, t, l);
            Py_DECREF(l);
            if (r < 0) goto error;
        } else {
            PyObject *first;
            if (!PyList_CheckExact(g) || PyList_GET_SIZE(g) == 0 ||
                Py_TYPE(first = PyList_GET_ITEM(g, 0)) != span_cls) {
                PyErr_SetString(PyExc_TypeError, "a group of the batch is not a list of spans");
                goto error;
            }
            if (PyList_Append(g, s) < 0) goto error;
            put(s, F_TRACE, GET(first, F_TRACE));
        }

        /* Span and parent ids through `strings`; the span id into `seen`. */
        if (PySet_Add(seen, GET(s, F_SPAN)) < 0 || share(s, F_SPAN, strings) < 0) goto error;
        if (PyUnicode_GET_LENGTH(GET(s, F_PARENT)) && share(s, F_PARENT, strings) < 0) goto error;
        if (share(s, F_NAME, names) < 0) goto error;

        t = GET(s, F_STATUS);
        if (!PyLong_CheckExact(t)) {  /* the status struct: its code, and its message if any */
            PyObject *message = AT(t, status.message);
            if (PyUnicode_GET_LENGTH(message)) put(s, F_MESSAGE, message);
            put(s, F_STATUS, AT(t, status.code));  /* (frees the struct, after its fields are held) */
        }

        int lt = PyObject_RichCompareBool(GET(s, F_END), GET(s, F_START), Py_LT);
        if (lt < 0) goto error;
        careful |= lt;

        drop_empty(s, F_ATTRS);
        drop_empty(s, F_EVENTS);
        drop_empty(s, F_LINKS);
    }
    Py_DECREF(spans);
    return PyBool_FromLong(careful);
error:
    Py_DECREF(spans);
    return NULL;
}

/* A span's service (borrowed), or NULL when its resource is not a Resource with a string service. */
static inline PyObject *service_of(PyObject *span) {
    PyObject *r = GET(span, F_RESOURCE);
    if (Py_TYPE(r) != resource_cls) return NULL;
    PyObject *v = AT(r, service_off);
    return v != NULL && PyUnicode_CheckExact(v) ? v : NULL;
}

/* Whether a span is what `figures` takes: a plain Span with string ids, a service, int kind and
   status, and int times that fit in 64 bits (written to *start and *end). */
static int measurable(PyObject *s, long long *start, long long *end) {
    if (Py_TYPE(s) != span_cls) return 0;
    for (int f = 0; f < N_FIELDS; f++)
        if (GET(s, f) == NULL) return 0;
    PyObject *a = GET(s, F_START), *b = GET(s, F_END);
    if (!PyUnicode_CheckExact(GET(s, F_SPAN)) || !PyUnicode_CheckExact(GET(s, F_PARENT)) || service_of(s) == NULL ||
        !PyLong_CheckExact(GET(s, F_KIND)) || !PyLong_CheckExact(GET(s, F_STATUS)) || !PyLong_CheckExact(a) ||
        !PyLong_CheckExact(b))
        return 0;
    int o1, o2;
    *start = PyLong_AsLongLongAndOverflow(a, &o1);
    *end = PyLong_AsLongLongAndOverflow(b, &o2);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return !o1 && !o2;
}

/* `python_light_figures` of a list of spans: (skewed, None) or (False, (start_ns, end_ns, errors,
   services as a set, orphans, top)); None for an empty list or one it does not take. */
static PyObject *figures(PyObject *self, PyObject *args) {
    PyObject *list, *shift, *callees;
    if (!PyArg_ParseTuple(args, "O!OO!", &PyList_Type, &list, &shift, &PyFrozenSet_Type, &callees)) return NULL;
    if (span_cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_speedups.setup was not called");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n == 0) Py_RETURN_NONE;
    long long *times = PyMem_Malloc(2 * n * sizeof(long long));
    if (times == NULL) return PyErr_NoMemory();
    long long *starts = times, *ends = times + n;
    PyObject *spans = PyList_AsTuple(list), *index = NULL, *services = NULL, *result = NULL;
    if (spans == NULL) goto done;
    for (Py_ssize_t i = 0; i < n; i++)
        if (!measurable(PyTuple_GET_ITEM(spans, i), starts + i, ends + i)) {
            result = Py_NewRef(Py_None);
            goto done;
        }
    if ((index = PyDict_New()) == NULL || (services = PySet_New(NULL)) == NULL) goto done;

    /* First pass: each span id once (else the tree decides), the services, errors, start, end. */
    long long start_ns = starts[0], end_ns = ends[0];
    Py_ssize_t errors = 0;
    PyObject *resource = NULL;  /* the last span's: spans of one service come together */
    for (Py_ssize_t i = 0; i < n; i++) {
        GIVE_WAY(i);  /* (before any field is read) */
        PyObject *s = PyTuple_GET_ITEM(spans, i);
        PyObject *sid = GET(s, F_SPAN);
        int r = PyDict_Contains(index, sid);
        if (r < 0) goto done;
        if (r || PyUnicode_Compare(GET(s, F_PARENT), sid) == 0) {
            result = Py_BuildValue("(OO)", Py_True, Py_None);
            goto done;
        }
        PyObject *pos = PyLong_FromSsize_t(i);
        if (pos == NULL) goto done;
        r = PyDict_SetItem(index, sid, pos);
        Py_DECREF(pos);
        if (r < 0) goto done;
        if (GET(s, F_RESOURCE) != resource) {
            resource = GET(s, F_RESOURCE);
            PyObject *service = service_of(s);
            if (service == NULL) {  /* (checked before; only another thread could have changed it) */
                result = Py_NewRef(Py_None);
                goto done;
            }
            if (PySet_Add(services, service) < 0) goto done;
        }
        int overflow;
        errors += PyLong_AsLongAndOverflow(GET(s, F_STATUS), &overflow) == 2 && !overflow;
        if (starts[i] < start_ns) start_ns = starts[i];
        if (ends[i] > end_ns) end_ns = ends[i];
    }
    PyObject *empty = PyUnicode_New(0, 0);
    if (empty == NULL) goto done;
    int sure = PyDict_Contains(index, empty);
    Py_DECREF(empty);
    if (sure < 0) goto done;
    sure = !sure;

    /* Second pass: the root (or the earliest orphan), orphans, possible cycles, callees outside
       a caller of another service. */
    Py_ssize_t root = -1, orphan = -1, orphans = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        GIVE_WAY(i);
        PyObject *s = PyTuple_GET_ITEM(spans, i);
        PyObject *pid = GET(s, F_PARENT);
        long long st = starts[i];
        if (PyUnicode_GET_LENGTH(pid) == 0) {
            if (root < 0 || st < starts[root]) root = i;
            continue;
        }
        PyObject *found = PyDict_GetItemWithError(index, pid);
        if (found == NULL) {
            if (PyErr_Occurred()) goto done;
            orphans++;
            if (orphan < 0 || st < starts[orphan]) orphan = i;
            continue;
        }
        Py_ssize_t p = PyLong_AsSsize_t(found);
        if (p == -1 && PyErr_Occurred()) goto done;
        PyObject *ps = PyTuple_GET_ITEM(spans, p);
        long long p_start = starts[p];
        if (p_start >= st && (p_start > st || p >= i)) sure = 0; /* possibly a cycle: the tree decides */
        int r = PySet_Contains(callees, GET(s, F_KIND));
        if (r < 0) goto done;
        if (!r || (st >= p_start && ends[i] <= ends[p])) continue;
        PyObject *a = service_of(ps), *b = service_of(s);
        if (a == NULL || b == NULL) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (PyUnicode_Compare(a, b) == 0) continue;
        if (PyErr_Occurred()) goto done;
        PyObject *moved = PyObject_CallFunction(shift, "OLLO", s, p_start, ends[p], GET(ps, F_KIND));
        if (moved == NULL) goto done;
        r = PyObject_IsTrue(moved);
        Py_DECREF(moved);
        if (r < 0) goto done;
        if (r) {
            result = Py_BuildValue("(OO)", Py_True, Py_None);
            goto done;
        }
    }
    Py_ssize_t top = root >= 0 ? root : orphan;
    if (!sure || top < 0)
        result = Py_BuildValue("(OO)", Py_False, Py_None);
    else
        result = Py_BuildValue("(O(LLnOnn))", Py_False, start_ns, end_ns, errors, services, orphans, top);
done:
    Py_XDECREF(spans);
    Py_XDECREF(index);
    Py_XDECREF(services);
    PyMem_Free(times);
    return result;
}

static PyMethodDef methods[] = {
    {"setup", setup, METH_VARARGS, "setup(Span, Resource, msgspec.Raw): the classes the loops read."},
    {"finish", finish, METH_VARARGS,
     "finish(spans, resource, scope, groups, strings, seen, names) -> careful, or None."},
    {"figures", figures, METH_VARARGS, "figures(spans, callee_shift, callees) -> light figures, or None."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
