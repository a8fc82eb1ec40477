//! `tongban calendar show --year YYYY`: the year's days off and adjusted working days on this
//! desk's calendar (the hub's latest, or the one shipped), each with where it comes from.

use anyhow::Result;
use tongban_domain::WorkCalendar;
use tongban_domain::schedule::YearSchedule;

#[derive(clap::Subcommand)]
pub enum CalendarCommand {
    /// List a year's days off and adjusted working days.
    Show {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(calendar: &WorkCalendar, command: CalendarCommand) -> Result<()> {
    let CalendarCommand::Show { year, json } = command;
    print(&calendar.year_schedule(year), json)
}

fn print(year: &YearSchedule, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(year)?);
    } else {
        print!("{year}");
    }
    Ok(())
}
