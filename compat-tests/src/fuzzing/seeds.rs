//! Reading seeds for the fuzz corpora: the operation sequences of
//! proptest's regression file for the differential tests
//! (`compat-tests/proptest-regressions/differential.txt`), whose lines end
//! with `shrinks to ops = [...]` in `Debug` form.

use std::collections::HashMap;

use crate::differential::{NewCallback, OnFire, TimerSetOp, When};

/// A value in `Debug` form: a name with named fields (`A { x: 1 }`), a
/// name with positional ones (`Some(..)`), a bare name, a number or a
/// list.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Named(String, HashMap<String, Value>),
    Call(String, Vec<Value>),
    Name(String),
    Int(i128),
    List(Vec<Value>),
}

struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, token: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, token: char) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at `{}`", self.head()))
        }
    }

    fn head(&self) -> &str {
        &self.rest[..self.rest.len().min(30)]
    }

    fn word(&mut self) -> &str {
        self.skip_space();
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        word
    }

    /// Items up to `close`, separated by commas (a trailing one allowed).
    fn items<T>(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(item(self)?);
            if !self.eat(',') {
                self.expect(close)?;
                break;
            }
        }
        Ok(items)
    }

    fn value(&mut self) -> Result<Value, String> {
        if self.eat('[') {
            return Ok(Value::List(self.items(']', Self::value)?));
        }
        let word = self.word().to_owned();
        if word.is_empty() {
            return Err(format!("expected a value at `{}`", self.head()));
        }
        if word.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return word
                .parse()
                .map(Value::Int)
                .map_err(|_| format!("bad number `{word}`"));
        }
        if self.eat('{') {
            let fields = self.items('}', |parser| {
                let name = parser.word().to_owned();
                parser.expect(':')?;
                Ok((name, parser.value()?))
            })?;
            return Ok(Value::Named(word, fields.into_iter().collect()));
        }
        if self.eat('(') {
            return Ok(Value::Call(word, self.items(')', Self::value)?));
        }
        Ok(Value::Name(word))
    }
}

fn field<'v>(fields: &'v HashMap<String, Value>, name: &str) -> Result<&'v Value, String> {
    fields.get(name).ok_or_else(|| format!("no field `{name}`"))
}

fn int<T: TryFrom<i128>>(value: &Value) -> Result<T, String> {
    match value {
        Value::Int(number) => T::try_from(*number).map_err(|_| format!("{number} is out of range")),
        other => Err(format!("expected a number, got {other:?}")),
    }
}

fn int_field<T: TryFrom<i128>>(fields: &HashMap<String, Value>, name: &str) -> Result<T, String> {
    int(field(fields, name)?)
}

fn on_fire(value: &Value) -> Result<OnFire, String> {
    match value {
        Value::Name(name) if name == "Record" => Ok(OnFire::Record),
        Value::Name(name) if name == "Stop" => Ok(OnFire::Stop),
        Value::Named(name, fields) if name == "Reset" => Ok(OnFire::Reset {
            after: int_field(fields, "after")?,
            period: int_field(fields, "period")?,
        }),
        Value::Named(name, fields) if name == "Modify" => Ok(OnFire::Modify {
            after: int_field(fields, "after")?,
            period: int_field(fields, "period")?,
            seq: int_field(fields, "seq")?,
        }),
        other => Err(format!("not an OnFire: {other:?}")),
    }
}

fn when(value: &Value) -> Result<When, String> {
    let Value::Call(name, args) = value else {
        return Err(format!("not a When: {value:?}"));
    };
    let [delta] = args.as_slice() else {
        return Err(format!("not a When: {value:?}"));
    };
    let delta = int(delta)?;
    match name.as_str() {
        "FromNow" => Ok(When::FromNow(delta)),
        "Earlier" => Ok(When::Earlier(delta)),
        "Later" => Ok(When::Later(delta)),
        "At" => Ok(When::At(delta)),
        _ => Err(format!("not a When: {value:?}")),
    }
}

fn callback(value: &Value) -> Result<Option<NewCallback>, String> {
    match value {
        Value::Name(name) if name == "None" => Ok(None),
        Value::Call(name, args) if name == "Some" && args.len() == 1 => match &args[0] {
            Value::Named(name, fields) if name == "NewCallback" => Ok(Some(NewCallback {
                seq: int_field(fields, "seq")?,
                on_fire: on_fire(field(fields, "on_fire")?)?,
            })),
            other => Err(format!("not a NewCallback: {other:?}")),
        },
        other => Err(format!("not an Option<NewCallback>: {other:?}")),
    }
}

fn op(value: &Value) -> Result<TimerSetOp, String> {
    let Value::Named(name, fields) = value else {
        return Err(format!("not a TimerSetOp: {value:?}"));
    };
    let timer = || int_field::<usize>(fields, "timer");
    Ok(match name.as_str() {
        "Create" => TimerSetOp::Create {
            other_thread: match field(fields, "other_thread")? {
                Value::Name(flag) if flag == "true" => true,
                Value::Name(flag) if flag == "false" => false,
                other => return Err(format!("not a bool: {other:?}")),
            },
            on_fire: on_fire(field(fields, "on_fire")?)?,
        },
        "Modify" => TimerSetOp::Modify {
            timer: timer()?,
            when: when(field(fields, "when")?)?,
            period: int_field(fields, "period")?,
            callback: callback(field(fields, "callback")?)?,
        },
        "Reset" => TimerSetOp::Reset {
            timer: timer()?,
            when: when(field(fields, "when")?)?,
            period: int_field(fields, "period")?,
        },
        "Stop" => TimerSetOp::Stop { timer: timer()? },
        "DropHandle" => TimerSetOp::DropHandle { timer: timer()? },
        "StopAndDrop" => TimerSetOp::StopAndDrop { timer: timer()? },
        "Check" => TimerSetOp::Check {
            advance: int_field(fields, "advance")?,
        },
        "CheckAtDeadline" => TimerSetOp::CheckAtDeadline {
            offset: int_field(fields, "offset")?,
        },
        _ => return Err(format!("not a TimerSetOp: {value:?}")),
    })
}

/// The operation sequences of a proptest regression file: one per line
/// holding `shrinks to ops = [...]`, in file order.
///
/// # Errors
///
/// A message naming the line whose sequence does not parse.
///
/// ```
/// use gowheel_compat_tests::differential::{OnFire, TimerSetOp, When};
/// use gowheel_compat_tests::fuzzing::seeds::regression_cases;
///
/// let text = "# comment\n\
///     cc 12ab # shrinks to ops = [Create { other_thread: false, on_fire: Reset { after: 5, period: 0 } }, \
///     Reset { timer: 6, when: FromNow(-3), period: 0 }]\n";
/// let cases = regression_cases(text).unwrap();
/// assert_eq!(cases, vec![vec![
///     TimerSetOp::Create { other_thread: false, on_fire: OnFire::Reset { after: 5, period: 0 } },
///     TimerSetOp::Reset { timer: 6, when: When::FromNow(-3), period: 0 },
/// ]]);
/// ```
pub fn regression_cases(text: &str) -> Result<Vec<Vec<TimerSetOp>>, String> {
    const MARK: &str = "shrinks to ops = ";
    let mut cases = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let Some(at) = line.find(MARK) else {
            continue;
        };
        let mut parser = Parser {
            rest: &line[at + MARK.len()..],
        };
        let parsed = parser.value().and_then(|value| match value {
            Value::List(items) => items.iter().map(op).collect(),
            other => Err(format!("not a list: {other:?}")),
        });
        cases.push(parsed.map_err(|error| format!("line {}: {error}", number + 1))?);
    }
    Ok(cases)
}
