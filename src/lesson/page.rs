//! The demo's lesson page: one self-contained HTML file (no network, no fonts,
//! no libraries) that shows what the demo's training learnt: the words' map at
//! every checkpoint under a timeline, the loss, the singular values rising one
//! at a time, the closed-form map beside the trained one, and the analogies as
//! arrows.
//!
//! The page is written in three parts, `page.html` (the text and the panels),
//! `page.css` and `page.js` (which draws everything from the data), joined
//! here at compile time; the data goes in at render time as JSON inside
//! `<script type="application/json" id="lesson-data">`, which the page reads
//! with `JSON.parse` and shows through `textContent` and `setAttribute` only.
//!
//! The JSON (produced by `w2v demo`, built against by `page.js`):
//!
//! ```text
//! { "title": str,
//!   "corpus": {"sentences", "tokens", "vocab"},
//!   "config": {"model", "dim", "window", "negative", "epochs", "lr", "init_scale", "seed"},
//!   "words": [str; V],
//!   "checkpoints": [{"words_seen", "epoch", "loss", "xy": [[x, y]; V],
//!                    "singular_values": [f; K, the same K in each]}],
//!   "closed_form": {"xy": [[x, y]; V], "eigenvalues": [f]},
//!   "analogies": [{"a", "b", "c", "expected", "answer", "landed": bool}],
//!   "neighbours": [{"word", "answers": [{"word", "score"}]}] }
//! ```
//!
//! `xy` of every checkpoint should be one fixed projection (say onto the final
//! vectors' top two principal axes), so that motion between checkpoints is
//! real; the page keeps one scale for all of them. The closed form's `xy` may
//! be turned or mirrored against the trained one: the page aligns it (a 2-D
//! orthogonal Procrustes fit onto the last checkpoint, which changes no
//! distance). Missing optional parts (closed form, analogies, neighbours)
//! hide their panels; a malformed document shows an error in the page.
//!
//! Escaping: a script element's text ends at the first `</script` (any case),
//! and `<!--` inside it changes how the HTML parser reads on. JSON has `<`,
//! `>` and `&` only inside strings, where `\u003c`, `\u003e` and `\u0026` mean
//! the same characters, so writing them that way leaves the JSON's value
//! unchanged and no `<` at all in the element. Nothing else needs escaping
//! there: the text of a script element is not decoded as HTML.

use std::path::Path;

use crate::error::{Error, Result};

const TEMPLATE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

const STYLE_MARK: &str = "/*@STYLE@*/";
const SCRIPT_MARK: &str = "/*@SCRIPT@*/";
const DATA_MARK: &str = "@LESSON_DATA@";

/// `json` with `<`, `>` and `&` written as JSON escapes: the same JSON value,
/// safe as the text of a `<script>` element (see the module documentation).
fn escape_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            _ => out.push(ch),
        }
    }
    out
}

/// The lesson page with `data_json` (the JSON above) inside it.
pub fn render(data_json: &str) -> String {
    let data = escape_for_script(data_json);
    let mut out = String::with_capacity(TEMPLATE.len() + STYLE.len() + SCRIPT.len() + data.len());
    // Split the template once at each mark, in order: nothing inserted is
    // searched again, so a mark inside the data stays text.
    let mut rest = TEMPLATE;
    for (mark, part) in [
        (STYLE_MARK, STYLE),
        (DATA_MARK, &data),
        (SCRIPT_MARK, SCRIPT),
    ] {
        let (before, after) = rest
            .split_once(mark)
            .expect("page.html holds each mark once, in order (tested)");
        out.push_str(before);
        out.push_str(part);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Check that `data_json` is a JSON object, render the page, and write it to
/// `path` atomically.
pub fn write(path: &Path, data_json: &str) -> Result<()> {
    match serde_json::from_str::<serde_json::Value>(data_json) {
        Ok(serde_json::Value::Object(_)) => {}
        Ok(_) => return Err(Error::invalid("the lesson data is not a JSON object")),
        Err(e) => return Err(Error::invalid(format!("the lesson data is not JSON: {e}"))),
    }
    let page = render(data_json);
    crate::format::atomic::write_atomically(path, |w| {
        use std::io::Write;
        w.write_all(page.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</script><b>x</b>&";

    /// The text of the `lesson-data` element, parsed.
    fn data_of(page: &str) -> serde_json::Value {
        let open = r#"<script type="application/json" id="lesson-data">"#;
        let start = page.find(open).expect("the data element") + open.len();
        let len = page[start..].find("</script>").expect("its end");
        serde_json::from_str(&page[start..start + len]).expect("the data parses")
    }

    fn fake_json() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lesson_fake_data.json");
        std::fs::read_to_string(path).expect("scripts/lesson_fake_data.json")
    }

    /// The fake data with one word renamed to `word` (and its analogies and
    /// neighbours with it).
    fn with_word(json: &str, old: &str, word: &str) -> String {
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        let rename = |s: &mut serde_json::Value| {
            if s.as_str() == Some(old) {
                *s = word.into();
            }
        };
        v["words"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .for_each(rename);
        for a in v["analogies"].as_array_mut().unwrap() {
            for k in ["a", "b", "c", "expected", "answer"] {
                rename(&mut a[k]);
            }
        }
        for q in v["neighbours"].as_array_mut().unwrap() {
            rename(&mut q["word"]);
            for a in q["answers"].as_array_mut().unwrap() {
                rename(&mut a["word"]);
            }
        }
        v.to_string()
    }

    #[test]
    fn the_template_holds_each_mark_once_and_its_code_cannot_close_early() {
        for mark in [STYLE_MARK, DATA_MARK, SCRIPT_MARK] {
            assert_eq!(TEMPLATE.matches(mark).count(), 1, "{mark}");
        }
        let at = |m| TEMPLATE.find(m).unwrap();
        assert!(at(STYLE_MARK) < at(DATA_MARK) && at(DATA_MARK) < at(SCRIPT_MARK));
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!SCRIPT.contains("<!--"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        assert!(!SCRIPT.contains("innerHTML") && !SCRIPT.contains("insertAdjacentHTML"));
    }

    #[test]
    fn a_hostile_word_survives_as_data_and_never_appears_raw() {
        for word in [
            HOSTILE,
            "</SCRIPT >",
            "<!--<script>",
            "a&amp;b",
            "\u{2028}\"\\'",
        ] {
            let json = serde_json::json!({ "title": word, "words": [word, "king"] }).to_string();
            let page = render(&json);
            let (template_scripts, page_scripts) = (
                TEMPLATE.to_ascii_lowercase().matches("</script").count(),
                page.to_ascii_lowercase().matches("</script").count(),
            );
            assert_eq!(page_scripts, template_scripts, "{word:?}");
            assert!(
                !page.contains("<b>x</b>") && !page.contains("<!--<"),
                "{word:?}"
            );
            let data = data_of(&page);
            assert_eq!(data["words"][0], word);
            assert_eq!(data["title"], word);
        }
    }

    #[test]
    fn a_mark_inside_the_data_stays_data() {
        let json = serde_json::json!({ "words": [SCRIPT_MARK, STYLE_MARK, DATA_MARK] }).to_string();
        let page = render(&json);
        assert_eq!(page.matches(SCRIPT.trim()).count(), 1);
        assert_eq!(data_of(&page)["words"][2], DATA_MARK);
    }

    #[test]
    fn the_fake_data_renders_with_every_word() {
        let json = fake_json();
        let page = render(&json);
        let data = data_of(&page);
        let words = data["words"].as_array().unwrap();
        assert!(words.len() >= 30);
        for c in data["checkpoints"].as_array().unwrap() {
            assert_eq!(c["xy"].as_array().unwrap().len(), words.len());
        }
        assert!(!page.contains(STYLE_MARK) && !page.contains(SCRIPT_MARK));
    }

    #[test]
    fn write_saves_the_page_and_refuses_what_is_not_a_json_object() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lesson.html");
        write(&path, &fake_json()).unwrap();
        let page = std::fs::read_to_string(&path).unwrap();
        assert_eq!(page, render(&fake_json()));
        for bad in ["", "[1, 2]", "{\"words\": [", "<html>"] {
            let other = dir.path().join("bad.html");
            assert!(write(&other, bad).is_err(), "{bad:?}");
            assert!(!other.exists());
        }
        assert!(write(&dir.path().join("missing/lesson.html"), "{}").is_err());
    }

    /// With `W2V_WRITE_FAKE_PAGE=1`, writes the pages that
    /// `scripts/check_lesson_page.sh` checks in a browser before `w2v demo
    /// --html` exists: `target/lesson-check/fake.html` from the fake data, and
    /// `hostile.html`, the same with a word that tries to break out.
    #[test]
    fn write_the_fake_pages_when_asked() {
        if std::env::var_os("W2V_WRITE_FAKE_PAGE").is_none_or(|v| v != "1") {
            return;
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/lesson-check");
        std::fs::create_dir_all(&dir).unwrap();
        let json = fake_json();
        write(&dir.join("fake.html"), &json).unwrap();
        let hostile = "</script><img src=x onerror=\"document.title='pwned'\">&amp;<!--";
        write(
            &dir.join("hostile.html"),
            &with_word(&json, "queen", hostile),
        )
        .unwrap();
        eprintln!("wrote {}/fake.html and hostile.html", dir.display());
    }
}
