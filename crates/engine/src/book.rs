//! A county's loan book as a structure of arrays, with a free list so that
//! closed loans' slots are reused and the arrays stay compact.

/// Flag: the loan has been overdue at some point (it is not "clean").
pub(crate) const EVER_OVERDUE: u8 = 1;

/// `next_event` of a free slot: never.
pub(crate) const NEVER: i16 = i16::MAX;

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
    /// Flags: [`EVER_OVERDUE`].
    pub flags: Vec<u8>,
    /// Township, global index.
    pub township: Vec<u32>,
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
}

impl LoanBook {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Adds a loan, reusing a free slot if there is one.
    pub fn push(&mut self, l: NewLoan) {
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
        }
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

    /// Frees slot `i` (as [`LoanBook::close`]).
    #[inline]
    pub fn close(&mut self, i: usize) {
        self.next_event[i] = NEVER;
        self.principal[i] = 0;
        self.arrears[i] = 0;
        self.free.push(i as u32);
    }
}

/// A county's principal balances (fen) and loan count, kept current by
/// deltas as loans move during the month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Balances {
    /// Outstanding principal.
    pub outstanding: i64,
    /// Outstanding principal of products the fund covers.
    pub covered: i64,
    /// Principal of loans overdue (the whole principal of a loan counts,
    /// the Chinese statistical convention).
    pub overdue: i64,
    /// Principal of non-performing loans (more than 90 days overdue).
    pub npl: i64,
    /// Loans outstanding.
    pub loans: i64,
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
            let p = book.principal[i];
            b.loans += 1;
            b.outstanding += p;
            b.by_product[book.product[i] as usize] += p;
            if covered_by_product[book.product[i] as usize] {
                b.covered += p;
            }
            if book.overdue[i] > 0 {
                b.overdue += p;
            }
            if non_performing(book.overdue[i]) {
                b.npl += p;
            }
        }
        b
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

    /// Share of the outstanding principal that `part` is (0 for an empty book).
    #[inline]
    pub fn ratio(&self, part: i64) -> f64 {
        if self.outstanding > 0 { part as f64 / self.outstanding as f64 } else { 0.0 }
    }
}

/// Whether a loan `months_overdue` whole months overdue is non-performing:
/// the regulator's bucket rule (`loans::Bucket`), read off the month count.
#[inline]
pub(crate) fn non_performing(months_overdue: u8) -> bool {
    mcstress_loans::Bucket::from_months_overdue(months_overdue).is_non_performing()
}
