//! How a chart's text is drawn, measured on the published SVG: each
//! label's glyphs as the shipped font places them (no two glyph boxes
//! overlap; between words the gap is wider than inside any word), and the
//! SVG drawing the same picture as the PNG on a machine with no font.

use std::sync::Arc;

use ab_glyph::Font;
use mcstress_report::briefing::FONT;
use resvg::{tiny_skia, usvg};

/// A glyph along its label, in pixels: its ink, its advance (from its
/// origin to where the next glyph would start unkerned) and the size of
/// its em.
#[derive(Clone, Copy, Debug)]
struct Ink {
    left: f32,
    right: f32,
    origin: f32,
    end: f32,
    em: f32,
}

/// One label's glyphs: the character each stands for and its ink (None
/// for a glyph without ink, a space).
type Glyphs = Vec<(String, Option<Ink>)>;

/// A label's ink on the page: left, top, right, bottom, in pixels.
type Page = [f32; 4];

fn options(with_font: bool) -> usvg::Options<'static> {
    let mut o = usvg::Options::default();
    if with_font {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        let family = db.faces().next().unwrap().families[0].0.clone();
        o.fontdb = Arc::new(db);
        o.font_family = family;
    }
    o
}

fn collect(g: &usvg::Group, font: &ab_glyph::FontRef, out: &mut Vec<(String, Glyphs, Page)>) {
    for node in g.children() {
        match node {
            usvg::Node::Group(g) => collect(g, font, out),
            usvg::Node::Text(t) => {
                let label: String = t.chunks().iter().map(|c| c.text()).collect();
                let mut glyphs = Glyphs::new();
                let mut page: Page = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
                for span in t.layouted() {
                    for g in &span.positioned_glyphs {
                        let ink = font.outline(ab_glyph::GlyphId(g.id.0)).map(|o| {
                            let ts = g.outline_transform();
                            let corners = [
                                (o.bounds.min.x, o.bounds.min.y),
                                (o.bounds.max.x, o.bounds.min.y),
                                (o.bounds.min.x, o.bounds.max.y),
                                (o.bounds.max.x, o.bounds.max.y),
                            ];
                            for (x, y) in corners {
                                let mut p = tiny_skia::Point::from_xy(x, y);
                                ts.post_concat(t.abs_transform()).map_point(&mut p);
                                page =
                                    [page[0].min(p.x), page[1].min(p.y), page[2].max(p.x), page[3].max(p.y)];
                            }
                            let mut a = tiny_skia::Point::from_xy(o.bounds.min.x, o.bounds.min.y);
                            let mut b = tiny_skia::Point::from_xy(o.bounds.max.x, o.bounds.max.y);
                            ts.map_point(&mut a);
                            ts.map_point(&mut b);
                            let (left, right) = (a.x.min(b.x), a.x.max(b.x));
                            let (origin, scale) = (g.transform().tx, g.transform().sx);
                            let end = origin + font.h_advance_unscaled(ab_glyph::GlyphId(g.id.0)) * scale;
                            let em = font.units_per_em().unwrap_or(1000.0) * scale;
                            Ink { left, right, origin, end, em }
                        });
                        glyphs.push((g.text.clone(), ink));
                    }
                }
                out.push((label, glyphs, page));
            }
            _ => {}
        }
    }
}

/// Every label of an SVG with its glyphs as laid out by the shipped font
/// and its ink on the page.
fn labels(svg: &str) -> Vec<(String, Glyphs, Page)> {
    let tree = usvg::Tree::from_str(svg, &options(true)).expect("the SVG parses");
    let font = ab_glyph::FontRef::try_from_slice(FONT).unwrap();
    let mut out = Vec::new();
    collect(tree.root(), &font, &mut out);
    out
}

/// What is wrong with the spacing of each label of `svg`, if anything.
pub fn text_faults(svg: &str) -> Vec<String> {
    // Ink may touch (a kerned pair, rounding of outlines): an overlap of
    // a fiftieth of a pixel is not one a reader sees.
    const TOUCH: f32 = 0.02;
    let mut faults = Vec::new();
    let all = labels(svg);
    assert!(!all.is_empty(), "the SVG carries its text");
    // No label runs into another.
    for (i, (a, _, p)) in all.iter().enumerate() {
        for (b, _, q) in &all[i + 1..] {
            let (w, h) = (p[2].min(q[2]) - p[0].max(q[0]), p[3].min(q[3]) - p[1].max(q[1]));
            if w > TOUCH && h > TOUCH {
                faults.push(format!("{a:?} runs into {b:?} ({w:.1} × {h:.1} px)"));
            }
        }
    }
    for (label, glyphs, _) in all {
        let inked: Vec<(&str, Ink)> = glyphs.iter().filter_map(|(c, i)| i.map(|i| (c.as_str(), i))).collect();
        for w in inked.windows(2) {
            let ((a, x), (b, y)) = (w[0], w[1]);
            // The font may pull a pair together (kerning "f/" by 0.016
            // em), never by a tenth of an em; and a glyph may reach past
            // its advance by design (an f's hook): boxes may overlap by
            // that much, no more.
            let kern = (x.end - y.origin).max(0.0);
            if kern > 0.1 * x.em {
                faults.push(format!("{label:?}: {b:?} starts {kern:.2} px inside {a:?}"));
            }
            let designed = kern + (x.right - x.end).max(0.0) + (y.origin - y.left).max(0.0);
            let overlap = x.right - y.left;
            if overlap > designed + TOUCH {
                faults.push(format!("{label:?}: {a:?} overlaps {b:?} by {overlap:.2} px"));
            }
        }
        // Words of Latin script, split at spaces: gaps inside a word and
        // gaps across a space.
        let mut inside = 0f32;
        let mut between = f32::INFINITY;
        let mut last: Option<(Ink, bool)> = None; // ink, ASCII
        let mut space = false;
        for (c, ink) in &glyphs {
            if c.trim().is_empty() {
                space = true;
                continue;
            }
            let Some(ink) = ink else { continue };
            let ascii = c.is_ascii();
            if let Some((prev, prev_ascii)) = last
                && ascii
                && prev_ascii
            {
                let gap = ink.left - prev.right;
                if space { between = between.min(gap) } else { inside = inside.max(gap) }
            }
            last = Some((*ink, ascii));
            space = false;
        }
        if between.is_finite() && between <= inside {
            faults.push(format!("{label:?}: a gap between words ({between:.2} px) is no wider than one inside a word ({inside:.2} px)"));
        }
    }
    faults
}

/// The picture `svg` draws on a machine without any font, as RGB.
fn rasterise_without_fonts(svg: &str) -> (u32, u32, Vec<u8>) {
    let tree = usvg::Tree::from_str(svg, &options(false)).expect("the SVG parses");
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    (size.width(), size.height(), pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect())
}

/// How far the picture `svg` draws without fonts is from the PNG: the
/// share of pixels that differ by more than `tolerance` in a channel.
pub fn differs_from_png(svg: &str, png: &[u8], tolerance: u8) -> f64 {
    let (w, h, drawn) = rasterise_without_fonts(svg);
    let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (w, h), "the SVG and the PNG have one size");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let png = &buf[..info.buffer_size()];
    let differ = drawn
        .chunks_exact(3)
        .zip(png.chunks_exact(3))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > tolerance))
        .count();
    differ as f64 / (w * h) as f64
}

#[cfg(test)]
mod the_test_itself {
    use super::*;

    fn svg(attrs: &str, text: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"60\">\
             <text x=\"10\" y=\"40\" font-size=\"20\" {attrs}>{text}</text></svg>"
        )
    }

    #[test]
    fn finds_glyphs_pushed_into_each_other_words_run_together_and_labels_on_labels() {
        assert_eq!(text_faults(&svg("", "Loss borne by funds")), Vec::<String>::new());
        assert!(
            text_faults(&svg("letter-spacing=\"-6\"", "probability")).iter().any(|f| f.contains("inside"))
        );
        let two = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"60\">\
                   <text x=\"10\" y=\"40\" font-size=\"20\">Month</text>\
                   <text x=\"40\" y=\"45\" font-size=\"20\">50.00</text></svg>";
        assert!(text_faults(two).iter().any(|f| f.contains("runs into")));
        assert!(
            text_faults(&svg("word-spacing=\"-5\"", "Loss borne by funds"))
                .iter()
                .any(|f| f.contains("between words"))
        );
    }
}
