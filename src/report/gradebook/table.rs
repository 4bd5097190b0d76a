//! `gradebook.csv`: a row per learner, a column per exercise with the learner's points, then
//! the total and the percentage, for a spreadsheet or an LMS import.
//!
//! The first row after the header holds the most points of each column (its learner cell says
//! `(max)`). An exercise the learner has not started is an empty cell, so a spreadsheet's
//! averages skip it and no one mistakes it for a zero; a refused submission is a 0. The last
//! column says why a learner's row needs a look (refused, inconclusive timings to grade again).
//! Cells are guarded against spreadsheet formulas as in the `csv` format.

#[cfg(test)]
use super::Gradebook;
use super::{Column, Learner, Spill, max_total, percent};
use crate::grade::Status;
use crate::report::csv::cell_text;

#[cfg(test)]
pub(crate) fn write(gradebook: &Gradebook, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut table = Table::new(&gradebook.columns)?;
    for learner in &gradebook.learners {
        table.add(learner)?;
    }
    table.finish(out)
}

/// The table, written one learner's row at a time.
pub(crate) struct Table<'g> {
    columns: &'g [Column],
    max_total: f64,
    writer: ::csv::Writer<Spill>,
}

impl<'g> Table<'g> {
    /// The table with its header and its row of maximums.
    pub(crate) fn new(columns: &'g [Column]) -> std::io::Result<Table<'g>> {
        let mut writer = ::csv::Writer::from_writer(Spill::new()?);
        let mut header = vec!["learner".to_string()];
        header.extend(columns.iter().map(|c| c.id.clone()));
        header.extend(["total", "percent", "note"].map(String::from));
        writer.write_record(&header)?;

        let max_total = max_total(columns);
        let mut max_row = vec!["(max)".to_string()];
        max_row.extend(columns.iter().map(|c| c.max_score.to_string()));
        max_row.extend([max_total.to_string(), "100".into(), String::new()]);
        writer.write_record(&max_row)?;
        Ok(Table {
            columns,
            max_total,
            writer,
        })
    }

    pub(crate) fn add(&mut self, learner: &Learner) -> std::io::Result<()> {
        let report = &learner.report;
        let mut row = vec![cell_text(&learner.name)];
        for column in self.columns {
            let cell = match report.exercises.iter().find(|e| e.id == column.id) {
                None => String::new(),
                Some(e) if e.status == Status::NotStarted => String::new(),
                Some(e) => e.score.to_string(),
            };
            row.push(cell);
        }
        let s = &report.summary;
        row.push(s.score.to_string());
        row.push(percent(s.score, self.max_total).to_string());
        row.push(cell_text(&note(learner)));
        Ok(self.writer.write_record(&row)?)
    }

    /// Writes the table into `out`.
    pub(crate) fn finish(self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let spill = (self.writer.into_inner()).map_err(|e| std::io::Error::other(e.to_string()))?;
        spill.copy_to(out)
    }
}

/// What a mentor should know of a learner's row beyond the points.
fn note(learner: &Learner) -> String {
    if let Some(why) = learner.refusal() {
        return why.to_string();
    }
    let s = &learner.report.summary;
    let mut notes = Vec::new();
    if s.not_started > 0 {
        notes.push(format!("{} not started", s.not_started));
    }
    if s.inconclusive > 0 {
        notes.push(format!(
            "{} inconclusive (machine too busy to time: grade again)",
            s.inconclusive
        ));
    }
    notes.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_per_learner_with_the_maximum_first_and_not_started_left_empty() {
        let mut out = Vec::new();
        write(&super::super::sample::gradebook(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "learner,01-foundations/01-word-count,02-oop/01-money,total,percent,note",
                "(max),10,4,14,100,",
                "'=cmd,0,0,0,0,submission refused: the archive's member `../x` would land outside its folder",
                "bob,6,,6,42.86,1 not started",
                "zoe,10,4,14,100,",
            ]
        );
    }
}
