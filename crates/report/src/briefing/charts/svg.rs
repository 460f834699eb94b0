//! From plotters' drawing to the published SVG and PNG.
//!
//! plotters lays a chart out (axes, label areas, legend boxes) with its
//! own estimate of each text's size, then hands every text to the backend
//! as a string and an anchor point. Its bitmap backend drew those strings
//! glyph by glyph at whole-pixel positions, which broke spacing ("prob
//! ability"); its SVG backend names a font the viewer may not have.
//!
//! So texts take another road here. [`TextLayer`] wraps plotters' SVG
//! backend: shapes go through unchanged, texts are written as `<text>`
//! elements of our own, sized so that the font's real advances agree with
//! the widths plotters reserved for them, and anchored on the font's em
//! box. usvg then shapes the texts with the shipped font (rustybuzz:
//! real advances, kerning, fractional positions) and turns them into
//! outlines; resvg rasterises that tree into the PNG, and the published
//! SVG is the same tree written out with the texts as paths, so it draws
//! the same picture on a machine without the font. The texts ride along
//! as an invisible layer (`fill-opacity="0"`), so the SVG can still be
//! searched, selected and read by a screen reader.

use std::sync::{Arc, OnceLock};

use ab_glyph::Font;
use plotters::prelude::{DrawingBackend, SVGBackend};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};
use resvg::{tiny_skia, usvg};

use crate::briefing::{BriefingError, FONT, esc, font};

/// The ideographic em box of the font, as a share of the em above and
/// below the baseline (Noto Sans CJK's OS/2 typographic ascender 880 and
/// descender −120 per 1,000): texts are anchored on it, so a label
/// centred on a tick sits centred on it whether it is Chinese or Latin.
const EM_ABOVE: f64 = 0.88;
const EM_BELOW: f64 = 0.12;

/// The em size, in pixels, at which the font's advances add up to the
/// width plotters estimates for a text of plotters size `size`: its
/// estimate scales the font so that ascent − descent spans `size` pixels.
fn em_px(size: f64) -> f64 {
    let f = font();
    size * f64::from(f.units_per_em().unwrap_or(1000.0))
        / f64::from(f.ascent_unscaled() - f.descent_unscaled())
}

/// The fonts usvg may use: the shipped one and no other, so a chart looks
/// the same on every machine.
fn fontdb() -> &'static (Arc<usvg::fontdb::Database>, String) {
    static DB: OnceLock<(Arc<usvg::fontdb::Database>, String)> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        let family = db
            .faces()
            .next()
            .and_then(|f| f.families.first())
            .map(|(name, _)| name.clone())
            .unwrap_or_default();
        (Arc::new(db), family)
    })
}

fn colour(c: BackendColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.rgb.0, c.rgb.1, c.rgb.2)
}

/// plotters' SVG backend, with texts set aside as `<text>` elements laid
/// out for the shipped font.
pub(super) struct TextLayer<'a> {
    inner: SVGBackend<'a>,
    texts: &'a mut Vec<Label>,
}

/// One text, laid out: its attributes but the opacity, its opacity and
/// its escaped content.
pub(super) struct Label {
    attrs: String,
    opacity: f64,
    body: String,
}

impl Label {
    /// The `<text>` element, drawn or (`visible` false) transparent.
    fn element(&self, visible: bool) -> String {
        let opacity = if !visible {
            " fill-opacity=\"0\"".to_string()
        } else if self.opacity < 1.0 {
            format!(" fill-opacity=\"{:.3}\"", self.opacity)
        } else {
            String::new()
        };
        format!("<text {}{opacity}>{}</text>", self.attrs, self.body)
    }
}

impl<'a> TextLayer<'a> {
    /// Shapes go to `svg`, texts to `texts`, in drawing order.
    pub(super) fn new(svg: &'a mut String, texts: &'a mut Vec<Label>, size: (u32, u32)) -> Self {
        TextLayer { inner: SVGBackend::with_string(svg, size), texts }
    }
}

type Res = Result<(), DrawingErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>>;

impl DrawingBackend for TextLayer<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Res {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Res {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Res {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Res {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Res {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, c: BackendCoord, r: u32, style: &S, fill: bool) -> Res {
        self.inner.draw_circle(c, r, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Res {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Res {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, (x, y): BackendCoord) -> Res {
        let c = style.color();
        if c.alpha == 0.0 || text.trim().is_empty() {
            return Ok(());
        }
        let em = em_px(style.size());
        let anchor = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Center => "middle",
            HPos::Right => "end",
        };
        // From the anchor point to the baseline, along the text's own
        // vertical: the em box's top, middle or bottom at the point.
        let down = match style.anchor().v_pos {
            VPos::Top => EM_ABOVE * em,
            VPos::Center => (EM_ABOVE - EM_BELOW) / 2.0 * em,
            VPos::Bottom => -EM_BELOW * em,
        };
        let rotate = match style.transform() {
            FontTransform::Rotate90 => 90,
            FontTransform::Rotate180 => 180,
            FontTransform::Rotate270 => 270,
            _ => 0,
        };
        // A rotated text is moved in its own frame, where the baseline is
        // always "down".
        let transform =
            if rotate == 0 { String::new() } else { format!(" transform=\"rotate({rotate} {x} {y})\"") };
        self.texts.push(Label {
            attrs: format!(
                "x=\"{x}\" y=\"{by:.2}\" text-anchor=\"{anchor}\" font-family=\"{family}\" font-size=\"{em:.3}\" \
                 fill=\"{fill}\"{transform}",
                by = f64::from(y) + down,
                family = esc(&fontdb().1),
                fill = colour(c),
            ),
            opacity: c.alpha,
            body: esc(text),
        });
        Ok(())
    }
}

/// The published SVG and the PNG of a chart drawn by plotters as `shapes`
/// (an SVG document) with `texts` (its `<text>` elements).
pub(super) fn finish(name: &str, shapes: &str, texts: &[Label]) -> Result<(String, Vec<u8>), BriefingError> {
    let fail = |e: Box<dyn std::error::Error + Send + Sync>| BriefingError::Draw {
        chart: name.to_string(),
        source: e,
    };
    let close = shapes.rfind("</svg>").ok_or_else(|| fail("plotters wrote no closing </svg>".into()))?;
    let drawn: Vec<String> = texts.iter().map(|t| t.element(true)).collect();
    let source = format!("{}{}\n</svg>\n", &shapes[..close], drawn.join("\n"));
    let (db, family) = fontdb();
    let options =
        usvg::Options { fontdb: Arc::clone(db), font_family: family.clone(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(&source, &options).map_err(|e| fail(Box::new(e)))?;

    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| fail(format!("a chart of {}×{} pixels", size.width(), size.height()).into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    // The page is opaque white underneath, so premultiplied RGBA is plain
    // RGB with the alpha dropped.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let png = encode_png(&rgb, size.width(), size.height())?;

    let outlines = tree.to_string(&usvg::WriteOptions {
        coordinates_precision: 3,
        transforms_precision: 5,
        ..usvg::WriteOptions::default()
    });
    let close = outlines.rfind("</svg>").ok_or_else(|| fail("usvg wrote no closing </svg>".into()))?;
    let layer: Vec<String> = texts.iter().map(|t| t.element(false)).collect();
    let svg = format!("{}<g id=\"text\">\n{}\n</g>\n</svg>\n", &outlines[..close], layer.join("\n"));
    Ok((svg, png))
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, BriefingError> {
    let err = |e: png::EncodingError| BriefingError::Encode { what: "PNG", source: e.into() };
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}
