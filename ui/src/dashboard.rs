//! The supervision dashboard (监察统计) for supervisors and county officers, offline on the
//! desk: the period's figures, a chart per group drawn as SVG in the window, every figure
//! opening the list of the cases behind it, and the report as PDF or .xlsx.

use crate::api::{self, FiguresArgs};
use crate::app::Screen;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::desk::{CaseSummary, UiError};
use tongban_domain::figures::{Figures, Group, Measure, Report};

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.2}%", r * 100.0))
}

/// Which figure's cases are listed: in the whole period, or in one group.
#[derive(Clone, PartialEq)]
struct Opened {
    key: Option<String>,
    label: String,
    measure: Measure,
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let tr = Tr::get();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let by = RwSignal::new("item".to_string());
    let report = RwSignal::new(None::<Report>);
    let failure = RwSignal::new(None::<UiError>);
    let opened = RwSignal::new(None::<Opened>);
    let cases = RwSignal::new(Vec::<CaseSummary>::new());
    let exported = RwSignal::new(String::new());
    let args = move || FiguresArgs {
        from: Some(from.get_untracked()),
        to: Some(to.get_untracked()),
        by: Some(by.get_untracked()),
    };
    let load = move || {
        spawn_local(async move {
            match api::figures_report(args()).await {
                Ok(r) => {
                    if from.get_untracked().is_empty() {
                        from.set(r.from.clone());
                        to.set(r.to.clone());
                    }
                    failure.set(None);
                    report.set(Some(r));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    load();
    let open = move |key: Option<String>, label: String, measure: Measure| {
        opened.set(Some(Opened {
            key: key.clone(),
            label,
            measure,
        }));
        spawn_local(async move {
            match api::figures_cases(args(), key, measure).await {
                Ok(list) => cases.set(list),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let export = move |format: &'static str| {
        spawn_local(async move {
            match api::figures_export(args(), format).await {
                Ok(path) => exported.set(path),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="card dashboard">
            <div class="filters">
                <label>{tr.t(Key::FiguresFrom)}
                    <input id="figures-from" type="date" prop:value=from on:input=move |ev| from.set(event_target_value(&ev))/>
                </label>
                <label>{tr.t(Key::FiguresTo)}
                    <input id="figures-to" type="date" prop:value=to on:input=move |ev| to.set(event_target_value(&ev))/>
                </label>
                <label>{tr.t(Key::FiguresBy)}
                    <select id="figures-by" on:change=move |ev| { by.set(event_target_value(&ev)); load(); }>
                        <option value="item" selected>{tr.t(Key::FiguresByItem)}</option>
                        <option value="clerk">{tr.t(Key::FiguresByClerk)}</option>
                        <option value="month">{tr.t(Key::FiguresByMonth)}</option>
                    </select>
                </label>
                <button id="figures-load" on:click=move |_| load()>{tr.t(Key::FiguresLoad)}</button>
                <button id="figures-pdf" on:click=move |_| export("pdf")>{tr.t(Key::FiguresPdf)}</button>
                <button id="figures-xlsx" on:click=move |_| export("xlsx")>{tr.t(Key::FiguresXlsx)}</button>
            </div>
            <p class="form-error" id="figures-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <p class="hint" id="figures-exported">{move || exported.get()}</p>
            {move || report.get().map(|r| view! {
                <Totals figures=r.total.clone() open=open/>
                <Chart groups=r.groups.clone()/>
                <GroupTable groups=r.groups.clone() open=open/>
            })}
            {move || opened.get().map(|o| view! {
                <CasesBehind opened=o cases=cases/>
            })}
        </div>
    }
}

#[component]
fn Totals(
    figures: Figures,
    open: impl Fn(Option<String>, String, Measure) + Copy + 'static,
) -> impl IntoView {
    let tr = Tr::get();
    let f = figures;
    let counts = f.clone();
    let card = move |id: &'static str, measure: Measure, rate: Option<(Key, Option<f64>)>| {
        let label = tr.now(Key::measure(measure));
        let count = counts.count(measure);
        view! {
            <button class="figure" id=id on:click=move |_| open(None, label.to_string(), measure)>
                <span class="label">{tr.t(Key::measure(measure))}</span>
                <span class="value">{count}</span>
                {rate.map(|(key, value)| view! {
                    <span class="rate">{tr.t(key)}" "{percent(value)}</span>
                })}
            </button>
        }
    };
    let days = f.processing_days.map_or_else(
        || "—".to_string(),
        |s| format!("{:.2} / {} / {}", s.mean, s.median, s.p90),
    );
    view! {
        <div class="figures" id="figures-totals">
            {card("fig-received", Measure::Received, None)}
            {card("fig-accepted", Measure::Accepted, None)}
            {card("fig-decided", Measure::Decided, Some((Key::FiguresCompletionRate, f.completion_rate)))}
            {card("fig-on-time", Measure::DecidedOnTime, Some((Key::RateOnTime, f.on_time_rate)))}
            {card("fig-overdue", Measure::Overdue, Some((Key::FiguresOverdueRate, f.overdue_rate)))}
            {card("fig-first-time", Measure::FirstTime, Some((Key::FiguresFirstTimeRate, f.first_time_rate)))}
            {card("fig-on-the-spot", Measure::OnTheSpot, None)}
            {card("fig-returned", Measure::Returned, None)}
            {card("fig-good", Measure::Good, Some((Key::FiguresGoodRate, f.good_rate)))}
            {card("fig-bad", Measure::Bad, Some((Key::FiguresBadRate, f.bad_rate)))}
            {card("fig-rectified", Measure::RectifiedOnTime, Some((Key::FiguresRectifiedRate, f.rectified_on_time_rate)))}
            <div class="figure" id="fig-days">
                <span class="label">{tr.t(Key::FiguresDays)}</span>
                <span class="value">{days}</span>
            </div>
        </div>
    }
}

/// Bars of each group's 办结率 (blue) and 超期率 (red), drawn in the window as SVG.
#[component]
fn Chart(groups: Vec<Group>) -> impl IntoView {
    let tr = Tr::get();
    const ROW: usize = 34;
    const LABEL_W: f64 = 170.0;
    const BAR_W: f64 = 380.0;
    let height = ROW * groups.len().max(1) + 24;
    view! {
        <svg id="figures-chart" class="chart" width="640" height=height.to_string()
            xmlns="http://www.w3.org/2000/svg" role="img">
            <text x="170" y="12" font-size="11" fill="#1f5fa8">"■ "{tr.t(Key::FiguresCompletionRate)}</text>
            <text x="280" y="12" font-size="11" fill="#b42318">"■ "{tr.t(Key::FiguresOverdueRate)}</text>
            {groups.into_iter().enumerate().map(|(i, g)| {
                let y = (i * ROW + 20) as f64;
                let done = g.figures.completion_rate.unwrap_or(0.0);
                let late = g.figures.overdue_rate.unwrap_or(0.0);
                view! {
                    <text x="0" y=(y + 14.0).to_string() font-size="12" fill="#1f2933">{g.label.chars().take(12).collect::<String>()}</text>
                    <rect x=LABEL_W.to_string() y=y.to_string() width=format!("{:.1}", (done * BAR_W).max(1.0)) height="12" fill="#1f5fa8"></rect>
                    <rect x=LABEL_W.to_string() y=(y + 14.0).to_string() width=format!("{:.1}", (late * BAR_W).max(1.0)) height="12" fill="#b42318"></rect>
                    <text x=format!("{:.1}", LABEL_W + BAR_W + 8.0) y=(y + 12.0).to_string() font-size="11" fill="#1f2933">
                        {format!("{} / {}", percent(g.figures.completion_rate), percent(g.figures.overdue_rate))}
                    </text>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn GroupTable(
    groups: Vec<Group>,
    open: impl Fn(Option<String>, String, Measure) + Copy + 'static,
) -> impl IntoView {
    let tr = Tr::get();
    let cell = move |g: &Group, measure: Measure| {
        let (key, label) = (
            g.key.clone(),
            format!("{} · {}", g.label, tr.now(Key::measure(measure))),
        );
        let count = g.figures.count(measure);
        let id = format!(
            "group-{}-{}",
            g.key,
            serde_json::to_value(measure)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        );
        view! {
            <td><button class="link" id=id on:click=move |_| open(Some(key.clone()), label.clone(), measure)>{count}</button></td>
        }
    };
    view! {
        <table class="groups" id="figures-groups">
            <thead><tr>
                <th>{tr.t(Key::FiguresGroup)}</th>
                <th>{tr.t(Key::MeasureReceived)}</th>
                <th>{tr.t(Key::MeasureAccepted)}</th>
                <th>{tr.t(Key::MeasureDecided)}</th>
                <th>{tr.t(Key::FiguresCompletionRate)}</th>
                <th>{tr.t(Key::MeasureOverdue)}</th>
                <th>{tr.t(Key::FiguresOverdueRate)}</th>
                <th>{tr.t(Key::FiguresFirstTimeRate)}</th>
                <th>{tr.t(Key::MeasureBad)}</th>
                <th>{tr.t(Key::FiguresGoodRate)}</th>
            </tr></thead>
            <tbody>
                {groups.iter().map(|g| view! {
                    <tr>
                        <td>{g.label.clone()}</td>
                        {cell(g, Measure::Received)}
                        {cell(g, Measure::Accepted)}
                        {cell(g, Measure::Decided)}
                        <td>{percent(g.figures.completion_rate)}</td>
                        {cell(g, Measure::Overdue)}
                        <td>{percent(g.figures.overdue_rate)}</td>
                        <td>{percent(g.figures.first_time_rate)}</td>
                        {cell(g, Measure::Bad)}
                        <td>{percent(g.figures.good_rate)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CasesBehind(opened: Opened, cases: RwSignal<Vec<CaseSummary>>) -> impl IntoView {
    let screen = expect_context::<RwSignal<Screen>>();
    view! {
        <section class="queue" id="figure-cases">
            <h2>{opened.label}" "<span class="count" id="figure-cases-count">{move || cases.get().len()}</span></h2>
            <ul>
                {move || cases.get().into_iter().map(|c| {
                    let number = c.number.clone();
                    let flag = c.flag.map(|f| f.as_str()).unwrap_or("");
                    view! {
                        <li class=format!("flag-{flag}") id=format!("figure-case-{}", c.number)>
                            <button class="link mono" on:click=move |_| screen.set(Screen::Detail(number.clone()))>{c.number.clone()}</button>
                            <span>{c.applicant_name}</span>
                            <span>{c.item_name}</span>
                            <span>{c.deadline.unwrap_or_default()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
