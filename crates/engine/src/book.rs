//! A county's loan book as a structure of arrays, with a free list so that
//! closed loans' slots are reused and the arrays stay compact.

/// Flag: the loan has been overdue at some point (it is not "clean").
pub(crate) const EVER_OVERDUE: u8 = 1;
/// Flag of a first loan: its household has taken a follow-up loan beside
/// it (one follow-up per first loan).
pub(crate) const FOLLOW_UP_TAKEN: u8 = 2;
/// Flag: the loan was lent beyond the leverage multiple under
/// `leverage_excess = "uncovered"` — the fund does not cover it (whatever
/// its product) and it earns no interest subsidy.
pub(crate) const UNCOVERED: u8 = 4;

/// `enterprise` of a loan no enterprise uses.
pub(crate) const NO_ENTERPRISE: u16 = u16::MAX;

/// The enterprise a loan is used by (户贷企用), if any: a trait read off
/// the loan id, a `share` of loans spread evenly over the county's
/// `enterprises`.
#[inline]
pub(crate) fn misuse_enterprise(id: u64, share: f64, enterprises: usize) -> Option<usize> {
    if share <= 0.0 {
        return None;
    }
    let h = crate::rng::mix(id ^ 0x0A11_CE5E_ED00_0001);
    (crate::rng::unit(h) < share).then(|| (crate::rng::second(h) % enterprises.max(1) as u64) as usize)
}

/// [`misuse_enterprise`] as a book keeps it ([`NO_ENTERPRISE`]: none).
pub(crate) fn enterprise_code(id: u64, b: &mcstress_scenario::Behaviour) -> u16 {
    misuse_enterprise(id, b.misuse_share.get(), b.enterprises_per_county as usize)
        .map_or(NO_ENTERPRISE, |e| e as u16)
}

/// `partner` of a loan whose household holds no other loan.
pub(crate) const NO_PARTNER: u32 = u32::MAX;

/// Product index of commercial credit, the one product outside the
/// programme.
const COMMERCIAL: u8 = mcstress_domain::Product::Commercial as u8;

/// Whether a loan of `product` is one of the programme's (first or
/// follow-up), not commercial credit.
#[inline]
pub(crate) fn programme(product: u8) -> bool {
    product != COMMERCIAL
}

/// `next_event` of a free slot: never.
pub(crate) const NEVER: i16 = i16::MAX;

/// `armed_at` of a loan whose quarterly dates are not being skipped.
pub(crate) const NOT_ARMED: i16 = i16::MIN;

/// One county's loans. Index `i` of every array is one loan.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoanBook {
    /// Stable loan id: keys the loan's random draws.
    pub id: Vec<u64>,
    /// The loan's key in this path's loan stream (`Stream::entity(id)`),
    /// kept so that a draw costs one mix.
    pub key: Vec<u64>,
    /// Outstanding principal, fen.
    pub principal: Vec<i64>,
    /// Unpaid interest, fen.
    pub arrears: Vec<i64>,
    /// Month of disbursement (negative before the start).
    pub start: Vec<i16>,
    /// Month of maturity.
    pub maturity: Vec<i16>,
    /// Next month in which the loan needs attention: its next due date
    /// while current, every month while overdue, [`NEVER`] for a free
    /// slot. The monthly scan skips every other loan with one comparison.
    pub next_event: Vec<i16>,
    /// Whole months overdue (0 = current).
    pub overdue: Vec<u8>,
    /// Extensions granted.
    pub extensions: Vec<u8>,
    /// Renewals granted.
    pub renewals: Vec<u8>,
    /// Risk cell: (category × 3 + grade) × 9 + industry.
    pub risk: Vec<u8>,
    /// Product index.
    pub product: Vec<u8>,
    /// Contract rate, basis points.
    pub rate_bp: Vec<u16>,
    /// Flags: [`EVER_OVERDUE`], [`FOLLOW_UP_TAKEN`], [`UNCOVERED`].
    pub flags: Vec<u8>,
    /// Township, global index.
    pub township: Vec<u32>,
    /// Slot of the household's other loan (a first loan and the follow-up
    /// beside it, or what that follow-up became), or [`NO_PARTNER`]. The
    /// link is cut when either loan closes, so a slot it names is live.
    pub partner: Vec<u32>,
    /// Month a covered loan reached the claim trigger and entered the claim
    /// cycle (read only while `cycle_od` is not 0).
    pub cycle_start: Vec<i16>,
    /// Whole months overdue when the loan entered the claim cycle; 0 while
    /// it is not in the cycle.
    pub cycle_od: Vec<u8>,
    /// The enterprise that uses the loan ([`enterprise_code`]), read off
    /// its id once rather than at every payment.
    pub enterprise: Vec<u16>,
    /// Month in which the loan's next quarterly dates were found paid
    /// ahead of time and skipped (see `path/skip.rs`), [`NOT_ARMED`] if
    /// they are not: the skipped dates are `armed_at + 3k` before
    /// `next_event`.
    pub armed_at: Vec<i16>,
    /// The interest subsidy each skipped date earns, fen (booked in the
    /// county's schedule of skipped subsidy when the loan was armed).
    pub armed_sub: Vec<i64>,
    /// Free slots.
    pub free: Vec<u32>,
}

/// A new loan's fields.
pub(crate) struct NewLoan {
    pub id: u64,
    pub key: u64,
    pub principal: i64,
    pub start: i16,
    pub maturity: i16,
    pub next_event: i16,
    pub risk: u8,
    pub product: u8,
    pub rate_bp: u16,
    pub township: u32,
    /// [`enterprise_code`] of the id.
    pub enterprise: u16,
}

impl LoanBook {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Adds a loan, reusing a free slot if there is one; returns its slot.
    pub fn push(&mut self, l: NewLoan) -> usize {
        if let Some(i) = self.free.pop() {
            let i = i as usize;
            self.id[i] = l.id;
            self.key[i] = l.key;
            self.principal[i] = l.principal;
            self.arrears[i] = 0;
            self.start[i] = l.start;
            self.maturity[i] = l.maturity;
            self.next_event[i] = l.next_event;
            self.overdue[i] = 0;
            self.extensions[i] = 0;
            self.renewals[i] = 0;
            self.risk[i] = l.risk;
            self.product[i] = l.product;
            self.rate_bp[i] = l.rate_bp;
            self.flags[i] = 0;
            self.township[i] = l.township;
            self.partner[i] = NO_PARTNER;
            self.cycle_start[i] = 0;
            self.cycle_od[i] = 0;
            self.enterprise[i] = l.enterprise;
            self.armed_at[i] = NOT_ARMED;
            self.armed_sub[i] = 0;
            i
        } else {
            self.id.push(l.id);
            self.key.push(l.key);
            self.principal.push(l.principal);
            self.arrears.push(0);
            self.start.push(l.start);
            self.maturity.push(l.maturity);
            self.next_event.push(l.next_event);
            self.overdue.push(0);
            self.extensions.push(0);
            self.renewals.push(0);
            self.risk.push(l.risk);
            self.product.push(l.product);
            self.rate_bp.push(l.rate_bp);
            self.flags.push(0);
            self.township.push(l.township);
            self.partner.push(NO_PARTNER);
            self.cycle_start.push(0);
            self.cycle_od.push(0);
            self.enterprise.push(l.enterprise);
            self.armed_at.push(NOT_ARMED);
            self.armed_sub.push(0);
            self.id.len() - 1
        }
    }

    /// Adds a loan held beside the live loan in slot `beside` by the same
    /// household, and links the two. Returns the new loan's slot.
    pub fn push_beside(&mut self, l: NewLoan, beside: usize) -> usize {
        let slot = self.push(l);
        self.partner[slot] = beside as u32;
        self.partner[beside] = slot as u32;
        slot
    }

    /// Links the follow-up loan in slot `follow_up` to the first loan in
    /// slot `first` of the same household (a starting book's pair): the
    /// household has taken its follow-up.
    pub fn link_beside(&mut self, follow_up: usize, first: usize) {
        self.partner[follow_up] = first as u32;
        self.partner[first] = follow_up as u32;
        self.flags[first] |= FOLLOW_UP_TAKEN;
    }

    /// Recomputes every loan's key for the stream of a new path.
    pub fn rekey(&mut self, stream: crate::rng::Stream) {
        for (k, id) in self.key.iter_mut().zip(&self.id) {
            *k = stream.entity(*id);
        }
    }

    /// Copies `other` into `self`, reusing allocations.
    pub fn reset_from(&mut self, other: &LoanBook) {
        self.id.clone_from(&other.id);
        self.key.clone_from(&other.key);
        self.principal.clone_from(&other.principal);
        self.arrears.clone_from(&other.arrears);
        self.start.clone_from(&other.start);
        self.maturity.clone_from(&other.maturity);
        self.next_event.clone_from(&other.next_event);
        self.overdue.clone_from(&other.overdue);
        self.extensions.clone_from(&other.extensions);
        self.renewals.clone_from(&other.renewals);
        self.risk.clone_from(&other.risk);
        self.product.clone_from(&other.product);
        self.rate_bp.clone_from(&other.rate_bp);
        self.flags.clone_from(&other.flags);
        self.township.clone_from(&other.township);
        self.partner.clone_from(&other.partner);
        self.cycle_start.clone_from(&other.cycle_start);
        self.cycle_od.clone_from(&other.cycle_od);
        self.enterprise.clone_from(&other.enterprise);
        self.armed_at.clone_from(&other.armed_at);
        self.armed_sub.clone_from(&other.armed_sub);
        self.free.clone_from(&other.free);
    }
}

/// The loans of a book as equal-length slices, for the monthly loop: the
/// compiler can then drop the bounds checks that per-`Vec` indexing costs.
pub(crate) struct BookView<'a> {
    pub id: &'a [u64],
    pub key: &'a [u64],
    pub principal: &'a mut [i64],
    pub arrears: &'a mut [i64],
    pub start: &'a mut [i16],
    pub maturity: &'a mut [i16],
    pub next_event: &'a mut [i16],
    pub overdue: &'a mut [u8],
    pub extensions: &'a mut [u8],
    pub renewals: &'a mut [u8],
    pub risk: &'a [u8],
    pub product: &'a mut [u8],
    pub rate_bp: &'a mut [u16],
    pub flags: &'a mut [u8],
    pub township: &'a [u32],
    pub partner: &'a mut [u32],
    pub cycle_start: &'a mut [i16],
    pub cycle_od: &'a mut [u8],
    pub enterprise: &'a [u16],
    pub armed_at: &'a mut [i16],
    pub armed_sub: &'a mut [i64],
    free: &'a mut Vec<u32>,
}

impl LoanBook {
    /// The book as equal-length slices.
    #[inline]
    pub fn view(&mut self) -> BookView<'_> {
        let n = self.id.len();
        BookView {
            id: &self.id[..n],
            key: &self.key[..n],
            principal: &mut self.principal[..n],
            arrears: &mut self.arrears[..n],
            start: &mut self.start[..n],
            maturity: &mut self.maturity[..n],
            next_event: &mut self.next_event[..n],
            overdue: &mut self.overdue[..n],
            extensions: &mut self.extensions[..n],
            renewals: &mut self.renewals[..n],
            risk: &self.risk[..n],
            product: &mut self.product[..n],
            rate_bp: &mut self.rate_bp[..n],
            flags: &mut self.flags[..n],
            township: &self.township[..n],
            partner: &mut self.partner[..n],
            cycle_start: &mut self.cycle_start[..n],
            cycle_od: &mut self.cycle_od[..n],
            enterprise: &self.enterprise[..n],
            armed_at: &mut self.armed_at[..n],
            armed_sub: &mut self.armed_sub[..n],
            free: &mut self.free,
        }
    }
}

impl BookView<'_> {
    /// Number of slots.
    #[inline]
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// The schedule of loan `i` as it stands.
    #[inline]
    pub fn schedule(&self, i: usize, repayment: mcstress_loans::Repayment) -> mcstress_loans::Schedule {
        mcstress_loans::Schedule { repayment, start: self.start[i] as i32, maturity: self.maturity[i] as i32 }
    }

    /// Frees slot `i`, cutting its link to the household's other loan.
    /// Returns that other loan's slot, if the household still holds one.
    #[inline]
    pub fn close(&mut self, i: usize) -> Option<usize> {
        self.next_event[i] = NEVER;
        self.armed_at[i] = NOT_ARMED;
        self.principal[i] = 0;
        self.arrears[i] = 0;
        self.cycle_od[i] = 0;
        self.free.push(i as u32);
        let p = std::mem::replace(&mut self.partner[i], NO_PARTNER);
        (p != NO_PARTNER).then(|| {
            self.partner[p as usize] = NO_PARTNER;
            p as usize
        })
    }
}

/// A county's principal balances (fen) and loan counts, kept current by
/// deltas as loans move during the month. The overdue and NPL figures are
/// the programme's (first and follow-up loans): commercial credit (the
/// "N") stays outside the programme's ratios and is kept on its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Balances {
    /// Outstanding principal, every product.
    pub outstanding: i64,
    /// Outstanding principal of products the fund covers.
    pub covered: i64,
    /// Principal of programme loans overdue (the whole principal of a loan
    /// counts, the Chinese statistical convention).
    pub overdue: i64,
    /// Principal of non-performing programme loans (more than 90 days
    /// overdue).
    pub npl: i64,
    /// Principal of commercial loans overdue.
    pub commercial_overdue: i64,
    /// Loans outstanding, every product.
    pub loans: i64,
    /// Programme loans outstanding.
    pub programme_loans: i64,
    /// Households holding two programme loans: a first loan and a
    /// follow-up beside it.
    pub two_loan_households: i64,
    /// Outstanding principal by product.
    pub by_product: [i64; 3],
}

impl Balances {
    /// Recomputed from a book (for the start, and for debug checks).
    pub fn of(book: &LoanBook, covered_by_product: [bool; 3]) -> Balances {
        let mut b = Balances::default();
        for i in 0..book.len() {
            if book.next_event[i] == NEVER {
                continue;
            }
            let (p, product) = (book.principal[i], book.product[i]);
            b.loans += 1;
            b.outstanding += p;
            b.by_product[product as usize] += p;
            if covered_by_product[product as usize] && book.flags[i] & UNCOVERED == 0 {
                b.covered += p;
            }
            if !programme(product) {
                if book.overdue[i] > 0 {
                    b.commercial_overdue += p;
                }
                continue;
            }
            b.programme_loans += 1;
            if book.overdue[i] > 0 {
                b.overdue += p;
            }
            if non_performing(book.overdue[i]) {
                b.npl += p;
            }
            let partner = book.partner[i];
            if product == mcstress_domain::Product::First as u8
                && partner != NO_PARTNER
                && programme(book.product[partner as usize])
            {
                b.two_loan_households += 1;
            }
        }
        b
    }

    /// Outstanding principal of the programme's loans (first and
    /// follow-up): the denominator of its overdue and NPL ratios.
    #[inline]
    pub fn programme(&self) -> i64 {
        self.outstanding - self.by_product[COMMERCIAL as usize]
    }

    /// Households with a programme loan (the numerator of coverage).
    #[inline]
    pub fn programme_households(&self) -> i64 {
        self.programme_loans - self.two_loan_households
    }

    /// A loan of `product` turns overdue (`delta` its principal) or stops
    /// being overdue (`−principal`).
    #[inline]
    pub fn add_overdue(&mut self, product: u8, delta: i64) {
        if programme(product) {
            self.overdue += delta;
        } else {
            self.commercial_overdue += delta;
        }
    }

    /// A loan of `product` turns non-performing (`delta` its principal) or
    /// stops being non-performing (`−principal`); only the programme's
    /// count.
    #[inline]
    pub fn add_npl(&mut self, product: u8, delta: i64) {
        if programme(product) {
            self.npl += delta;
        }
    }

    /// Principal of a loan of `product` changes by `delta`.
    #[inline]
    pub fn principal(&mut self, product: u8, covered: bool, delta: i64) {
        self.outstanding += delta;
        self.by_product[product as usize] += delta;
        if covered {
            self.covered += delta;
        }
    }

    /// Share of the programme's outstanding principal that `part` is (0
    /// for an empty programme book).
    #[inline]
    pub fn ratio(&self, part: i64) -> f64 {
        let out = self.programme();
        if out > 0 { part as f64 / out as f64 } else { 0.0 }
    }
}

/// Whether a loan `months_overdue` whole months overdue is non-performing:
/// the regulator's bucket rule (`loans::Bucket`), read off the month count.
#[inline]
pub(crate) fn non_performing(months_overdue: u8) -> bool {
    mcstress_loans::Bucket::from_months_overdue(months_overdue).is_non_performing()
}
