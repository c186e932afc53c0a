//! Lists and dicts that dbt templates change in place (`{% do cols.append(c) %}`,
//! `{% do d.update({...}) %}`): the list and dict literals of a dbt project's templates become
//! these (`rewrite.rs`); `dict()` makes one too. Everything else about them is what minijinja
//! does with a sequence or a map (loops, `length`, `join`, `in`, indexing, `tojson`).

use std::sync::{Arc, Mutex, MutexGuard};

use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind, State};

/// A list `append` changes.
#[derive(Debug, Default)]
pub(super) struct List(Mutex<Vec<Value>>);

/// A dict `update` changes; keys keep their order of insertion, as Python's.
#[derive(Debug, Default)]
pub(super) struct Dict(Mutex<Vec<(Value, Value)>>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn wrong_args(method: &str) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        crate::t!("e209-method-arguments", method = method),
    )
}

/// `__karte_list(literal)`: the literal as a list that can change.
pub(super) fn list(v: Option<Value>) -> Value {
    let items: Vec<Value> = v
        .and_then(|v| v.try_iter().ok())
        .into_iter()
        .flatten()
        .collect();
    Value::from_object(List(Mutex::new(items)))
}

/// `__karte_dict(literal)` and `dict(a=1, …)`: a dict that can change.
pub(super) fn dict(v: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let d = Dict::default();
    if let Some(v) = v {
        d.extend_from(&v)?;
    }
    for k in kwargs.args() {
        let value: Value = kwargs.get(k)?;
        d.insert(Value::from(k), value);
    }
    Ok(Value::from_object(d))
}

impl Dict {
    fn insert(&self, key: Value, value: Value) {
        let mut items = lock(&self.0);
        match items.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => items.push((key, value)),
        }
    }

    fn extend_from(&self, v: &Value) -> Result<(), Error> {
        if v.is_none() || v.is_undefined() {
            return Ok(());
        }
        if v.kind() != minijinja::value::ValueKind::Map {
            return Err(wrong_args("update"));
        }
        for k in v.try_iter()? {
            let value = v.get_item(&k)?;
            self.insert(k, value);
        }
        Ok(())
    }
}

fn index(len: usize, key: &Value) -> Option<usize> {
    let i = i64::try_from(key.clone()).ok()?;
    let i = if i < 0 { len as i64 + i } else { i };
    usize::try_from(i).ok().filter(|&i| i < len)
}

impl Object for List {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = lock(&self.0);
        index(items.len(), key).map(|i| items[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(lock(&self.0).clone())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut items = lock(&self.0);
        match (method, args) {
            ("append", [v]) => items.push(v.clone()),
            ("extend", [v]) => items.extend(v.try_iter()?),
            ("insert", [i, v]) => {
                let len = items.len();
                let at = index(len + 1, i).unwrap_or(len);
                items.insert(at, v.clone());
            }
            ("pop", []) => {
                return items.pop().ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, crate::t!("e209-pop-range"))
                })
            }
            ("pop", [i]) => {
                let at = index(items.len(), i).ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, crate::t!("e209-pop-range"))
                })?;
                return Ok(items.remove(at));
            }
            ("remove", [v]) => {
                if let Some(at) = items.iter().position(|x| x == v) {
                    items.remove(at);
                }
            }
            ("clear", []) => items.clear(),
            ("reverse", []) => items.reverse(),
            ("copy", []) => return Ok(Value::from_object(List(Mutex::new(items.clone())))),
            ("index", [v]) => {
                return items
                    .iter()
                    .position(|x| x == v)
                    .map(Value::from)
                    .ok_or_else(|| {
                        Error::new(ErrorKind::InvalidOperation, crate::t!("e209-not-in-list"))
                    })
            }
            ("count", [v]) => return Ok(Value::from(items.iter().filter(|x| *x == v).count())),
            ("append" | "extend" | "insert" | "pop" | "remove" | "index" | "count", _) => {
                return Err(wrong_args(method))
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(Value::from(()))
    }
}

impl Object for Dict {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        lock(&self.0)
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(lock(&self.0).iter().map(|(k, _)| k.clone()).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let pairs = |items: &[(Value, Value)]| {
            items
                .iter()
                .map(|(k, v)| Value::from(vec![k.clone(), v.clone()]))
                .collect::<Vec<_>>()
        };
        match (method, args) {
            ("update", [v]) => {
                self.extend_from(v)?;
                Ok(Value::from(()))
            }
            ("items", []) => Ok(Value::from(pairs(&lock(&self.0)))),
            ("keys", []) => Ok(Value::from(
                lock(&self.0)
                    .iter()
                    .map(|(k, _)| k.clone())
                    .collect::<Vec<_>>(),
            )),
            ("values", []) => Ok(Value::from(
                lock(&self.0)
                    .iter()
                    .map(|(_, v)| v.clone())
                    .collect::<Vec<_>>(),
            )),
            ("get", [k]) => Ok(self.get_value(k).unwrap_or(Value::from(()))),
            ("get", [k, default]) => Ok(self.get_value(k).unwrap_or_else(|| default.clone())),
            ("setdefault", [k, rest @ ..]) if rest.len() <= 1 => {
                if let Some(v) = self.get_value(k) {
                    return Ok(v);
                }
                let v = rest.first().cloned().unwrap_or(Value::from(()));
                self.insert(k.clone(), v.clone());
                Ok(v)
            }
            ("pop", [k, rest @ ..]) if rest.len() <= 1 => {
                let mut items = lock(&self.0);
                match items.iter().position(|(x, _)| x == k) {
                    Some(at) => Ok(items.remove(at).1),
                    None => rest.first().cloned().ok_or_else(|| {
                        Error::new(ErrorKind::InvalidOperation, crate::t!("e209-key-not-found"))
                    }),
                }
            }
            ("copy", []) => Ok(Value::from_object(Dict(Mutex::new(lock(&self.0).clone())))),
            ("clear", []) => {
                lock(&self.0).clear();
                Ok(Value::from(()))
            }
            ("update" | "get" | "setdefault" | "pop", _) => Err(wrong_args(method)),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// Methods that change a list or a dict, called on one that cannot change (made by a filter,
/// a function, or `range()`): a clear error instead of "no method".
pub(super) fn immutable_method(value: &Value, method: &str) -> Option<Error> {
    let changes = matches!(
        method,
        "append" | "extend" | "insert" | "remove" | "update" | "setdefault" | "clear"
    ) || (method == "pop" && value.as_object().is_none());
    changes.then(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            crate::t!(
                "e209-immutable",
                method = method,
                kind = value.kind().to_string()
            ),
        )
    })
}
