//! XEP-0392 Consistent Color Generation: every client gives a nickname
//! or a JID the same colour.
//!
//! [`angle`] is §5.1's hue: the first two bytes of the SHA-1 of the
//! UTF-8 text, little endian, mapped to degrees; [`rgb`] turns it into a
//! colour through HSLuv (saturation and lightness are the caller's, §7
//! advises adapting the lightness to the background); [`angle_of_jid`]
//! hashes a JID in its normalised form, as §6 requires. [`Palette`] is
//! §5.3 and §5.4: the hues of a palette of RGB colours (grays skipped,
//! one colour per whole degree, the one of lightness closest to 73.2),
//! and the palette colour closest to a hue. The XEP's test vectors are
//! this crate's tests.
//!
//! HSLuv comes from the `hsluv` crate (the Rust port listed by the HSLuv
//! project, with that project's snapshot tests) rather than a conversion
//! written here.
//!
//! ```
//! let a = xep_color::angle("Romeo");
//! assert!((a - 327.255249).abs() < 1e-6);
//! let (r, g, b) = xep_color::rgb("Romeo", 100.0, 50.0);
//! assert_eq!(((r * 1000.0).round(), (g * 1000.0).round(), (b * 1000.0).round()), (865.0, 0.0, 686.0));
//! ```

#![warn(missing_docs)]

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};
use xep_element::jid::Jid;

/// The hue angle of `text` in degrees, in `[0, 360)` (§5.1).
pub fn angle(text: &str) -> f64 {
    let digest = Sha1::digest(text.as_bytes());
    let value = u16::from_le_bytes([digest[0], digest[1]]);
    f64::from(value) / 65536.0 * 360.0
}

/// The hue angle of a JID, in its normalised string form (§6: prepared
/// as for a comparison; parsing a [`Jid`] normalises it).
pub fn angle_of_jid(jid: &Jid) -> f64 {
    angle(&jid.to_string())
}

/// The colour of `text` as red, green and blue in `[0, 1]`, at HSLuv
/// `saturation` and `lightness` (each in `[0, 100]`).
pub fn rgb(text: &str, saturation: f64, lightness: f64) -> (f64, f64, f64) {
    let (r, g, b) = hsluv::hsluv_to_rgb(angle(text), saturation, lightness);
    (r.clamp(0.0, 1.0), g.clamp(0.0, 1.0), b.clamp(0.0, 1.0))
}

/// A palette mapped to hues (§5.3).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Palette {
    by_angle: BTreeMap<u16, (f64, f64, f64)>,
}

impl Palette {
    /// The hue mapping of `colours` (red, green, blue in `[0, 1]`): grays
    /// are skipped; of the colours whose hue rounds to the same degree,
    /// the one with HSLuv lightness closest to 73.2 is kept.
    pub fn new(colours: &[(f64, f64, f64)]) -> Palette {
        let mut best: BTreeMap<u16, (f64, (f64, f64, f64))> = BTreeMap::new();
        for &(r, g, b) in colours {
            if r == g && g == b {
                continue;
            }
            let (h, _s, l) = hsluv::rgb_to_hsluv(r, g, b);
            if !h.is_finite() || !l.is_finite() {
                continue;
            }
            let key = (h.round().rem_euclid(360.0)) as u16;
            let better = best
                .get(&key)
                .is_none_or(|(old, _)| (old - 73.2).abs() > (l - 73.2).abs());
            if better {
                best.insert(key, (l, (r, g, b)));
            }
        }
        Palette {
            by_angle: best.into_iter().map(|(k, (_, c))| (k, c)).collect(),
        }
    }

    /// The "web safe" palette: six values per channel, grays excluded
    /// (210 colours), the one the XEP's test vectors use.
    pub fn web_safe() -> Palette {
        let steps = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        let mut colours = Vec::with_capacity(216);
        for r in steps {
            for g in steps {
                for b in steps {
                    colours.push((r, g, b));
                }
            }
        }
        Palette::new(&colours)
    }

    /// How many hues the palette has.
    pub fn len(&self) -> usize {
        self.by_angle.len()
    }

    /// Whether the palette has no colour.
    pub fn is_empty(&self) -> bool {
        self.by_angle.is_empty()
    }

    /// The palette colour closest to the hue `alpha` (§5.4): the one at
    /// `alpha` rounded when there is one, otherwise the one at the
    /// smallest circular distance, with its hue. `None` for an empty
    /// palette.
    pub fn closest(&self, alpha: f64) -> Option<(u16, (f64, f64, f64))> {
        let rounded = (alpha.round().rem_euclid(360.0)) as u16;
        if let Some(c) = self.by_angle.get(&rounded) {
            return Some((rounded, *c));
        }
        let distance = |beta: u16| {
            let beta = f64::from(beta);
            ((alpha - beta).rem_euclid(360.0)).min((beta - alpha).rem_euclid(360.0))
        };
        self.by_angle
            .iter()
            .min_by(|(a, _), (b, _)| distance(**a).total_cmp(&distance(**b)))
            .map(|(k, c)| (*k, *c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round3(c: (f64, f64, f64)) -> (f64, f64, f64) {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        (r(c.0), r(c.1), r(c.2))
    }

    /// §8's first table: angle, and RGB at saturation 100, lightness 50.
    #[test]
    fn the_test_vectors_of_section_8() {
        let vectors = [
            ("Romeo", "526f6d656f", 327.255249, (0.865, 0.000, 0.686)),
            (
                "juliet@capulet.lit",
                "6a756c69657440636170756c65742e6c6974",
                209.410400,
                (0.000, 0.515, 0.573),
            ),
            ("\u{1F63A}", "f09f98ba", 331.199341, (0.872, 0.000, 0.659)),
            (
                "council",
                "636f756e63696c",
                359.994507,
                (0.918, 0.000, 0.394),
            ),
            ("Board", "426f617264", 171.430664, (0.000, 0.527, 0.457)),
        ];
        for (text, hex, a, colour) in vectors {
            let bytes: String = text.bytes().map(|b| format!("{b:02x}")).collect();
            assert_eq!(bytes, hex);
            assert!((angle(text) - a).abs() < 1e-6, "{text}: {}", angle(text));
            assert_eq!(round3(rgb(text, 100.0, 50.0)), colour, "{text}");
        }
        let jid: Jid = "juliet@capulet.lit".parse().unwrap();
        assert_eq!(angle_of_jid(&jid), angle("juliet@capulet.lit"));
    }

    /// §8's second table: the closest colour of the web-safe palette.
    #[test]
    fn the_palette_vectors_of_section_8() {
        let palette = Palette::web_safe();
        assert!(!palette.is_empty() && palette.len() <= 210);
        let vectors = [
            ("Romeo", 327, (1.000, 0.000, 0.800)),
            ("juliet@capulet.lit", 226, (0.000, 0.800, 1.000)),
            ("\u{1F63A}", 331, (1.000, 0.400, 0.800)),
            ("council", 359, (0.800, 0.200, 0.400)),
            ("Board", 161, (0.000, 1.000, 0.800)),
        ];
        for (text, best, colour) in vectors {
            let (hue, c) = palette.closest(angle(text)).unwrap();
            assert_eq!((hue, round3(c)), (best, colour), "{text}");
        }
    }

    #[test]
    fn distances_wrap_around_the_circle() {
        let p = Palette::new(&[(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]);
        let red = hsluv::rgb_to_hsluv(1.0, 0.0, 0.0).0.round() as u16;
        // Just below 360 is closer to red (about 12 degrees) than blue.
        assert_eq!(p.closest(359.4).unwrap().0, red);
        assert_eq!(Palette::default().closest(10.0), None);
        // Grays only: an empty palette.
        assert!(Palette::new(&[(0.5, 0.5, 0.5)]).is_empty());
    }
}
