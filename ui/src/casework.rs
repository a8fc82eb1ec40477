//! Moving a case on: the action buttons of the detail screen (only those the signed-in user may
//! take now; the shell checks again), the one-time notice, conflicts, and the work queues.

use crate::api;
use crate::app::Screen;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::assistance::{Member, Publicity, StepKind};
use tongban_domain::desk::{ActForm, CaseSummary, CaseView, UiError, WorkQueues};
use tongban_domain::rating::Rectification;
use tongban_domain::workflow::RefusalGround;
use tongban_domain::{
    Action, CaseStatus, DeadlineFlag, Delivery, DeliveryMethod, MaterialState, MaterialStatus,
};

fn action_id(action: Action) -> String {
    format!("act-{}", action.as_str().replace('_', "-"))
}

/// The promised date with its colour, and any conflict waiting for a supervisor.
#[component]
pub fn Standing(view: RwSignal<Option<CaseView>>) -> impl IntoView {
    let tr = Tr::get();
    let flag = move || view.get().and_then(|v| v.flag);
    view! {
        <div class="detail-row">
            <span class="label">{tr.t(Key::Deadline)}</span>
            <span class="value" id="detail-deadline"
                data-flag=move || flag().map(|f| f.as_str()).unwrap_or("")>
                {move || view.get().and_then(|v| v.deadline).unwrap_or_else(|| "—".into())}
                <span class="provisional" id="detail-provisional"
                    title=move || tr.now(Key::ProvisionalHint)
                    hidden=move || !view.get().is_some_and(|v| v.provisional && v.deadline.is_some())>
                    {tr.t(Key::Provisional)}
                </span>
                " "
                <span class=move || format!("flag {}", flag().map(|f| f.as_str()).unwrap_or(""))>
                    {move || match flag() {
                        Some(DeadlineFlag::Yellow) => tr.now(Key::FlagYellow),
                        Some(DeadlineFlag::Red) => tr.now(Key::FlagRed),
                        _ => "",
                    }}
                </span>
            </span>
        </div>
        {move || view.get().and_then(|v| v.commitment_check_due).map(|due| view! {
            <div class="detail-row">
                <span class="label">{tr.t(Key::CommitmentCheckDue)}</span>
                <span class="value" id="detail-commitment-due">{due}</span>
            </div>
        })}
        {move || view.get().and_then(|v| v.forward_due).map(|due| view! {
            <div class="detail-row">
                <span class="label">{tr.t(Key::ForwardDue)}</span>
                <span class="value" id="detail-forward-due">{due}</span>
            </div>
        })}
        {move || view.get().and_then(|v| v.delivery_due).map(|due| view! {
            <div class="detail-row">
                <span class="label">{tr.t(Key::DeliveryDue)}</span>
                <span class="value" id="detail-delivery-due">{due}</span>
            </div>
        })}
        <Show when=move || view.get().is_some_and(|v| v.deemed_accepted)>
            <p class="note" id="detail-deemed">{tr.t(Key::DeemedAccepted)}</p>
        </Show>
        {move || view.get().and_then(|v| v.case.materials_due).map(|due| view! {
            <div class="detail-row">
                <span class="label">{tr.t(Key::MaterialsDue)}</span>
                <span class="value" id="detail-materials-due">{due}</span>
            </div>
        })}
        {move || view.get().and_then(|v| v.case.conflict).map(|conflict| view! {
            <div class="conflict" id="conflict">
                <p>{tr.t(Key::ConflictTitle)}</p>
                <ul>
                    {conflict.options.into_iter().map(|o| view! {
                        <li>{tr.now(Key::status(o.outcome))}" · "{o.by}" · "{crate::app::local_time(o.at_ms)}
                            " "{o.reason.unwrap_or_default()}</li>
                    }).collect_view()}
                </ul>
            </div>
        })}
    }
}

/// A material as a checkbox that puts its code in `list` or takes it out.
fn ticked(prefix: &str, m: MaterialState, list: RwSignal<Vec<String>>) -> impl IntoView {
    let code = m.code;
    let checked = {
        let code = code.clone();
        move || list.get().contains(&code)
    };
    view! {
        <label>
            <input type="checkbox" id=format!("{prefix}-{code}") prop:checked=checked
                on:change=move |_| list.update(|codes| {
                    if let Some(i) = codes.iter().position(|c| *c == code) {
                        codes.remove(i);
                    } else {
                        codes.push(code.clone());
                    }
                })/>
            {m.name}
        </label>
    }
}

/// The buttons for what the signed-in user may do with the case now.
#[component]
pub fn ActionPanel(view: RwSignal<Option<CaseView>>) -> impl IntoView {
    let tr = Tr::get();
    let reason = RwSignal::new(String::new());
    let missing = RwSignal::new(Vec::<String>::new());
    let due = RwSignal::new(String::new());
    let notice_due = RwSignal::new(String::new());
    let brought = RwSignal::new(Vec::<String>::new());
    let ground = RwSignal::new(None::<RefusalGround>);
    let refer_to = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let method = RwSignal::new(DeliveryMethod::Window);
    let tracking = RwSignal::new(String::new());
    let recipient = RwSignal::new(String::new());
    let step = RwSignal::new(StepKind::IncomeCheck);
    let posted_on = RwSignal::new(String::new());
    let household = RwSignal::new(String::new());
    let monthly = RwSignal::new(String::new());
    let members = RwSignal::new(String::new());
    let follow_up = RwSignal::new(String::new());
    let reassign_to = RwSignal::new(String::new());
    let measures = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<UiError>);
    let busy = RwSignal::new(false);
    // The one-time notice names every material still missing unless the clerk unticks one.
    Effect::new(move |_| {
        if let Some(v) = view.get() {
            brought.set(tongban_domain::materials::awaited_in(&v.case.events));
            missing.set(
                v.case
                    .materials
                    .iter()
                    .filter(|m| m.status == MaterialStatus::Missing)
                    .map(|m| m.code.clone())
                    .collect(),
            );
        }
    });
    let take = move |action: Action, outcome: Option<CaseStatus>| {
        let Some(current) = view.get_untracked() else {
            return;
        };
        busy.set(true);
        let text = reason.get_untracked();
        let form = ActForm {
            number: current.case.number.to_string(),
            action: Some(action),
            reason: (!text.trim().is_empty()).then_some(text),
            missing: match action {
                Action::Return => missing.get_untracked(),
                Action::Supplement => brought.get_untracked(),
                _ => Vec::new(),
            },
            assignee: Some(reassign_to.get_untracked())
                .filter(|to| action == Action::Reassign && !to.trim().is_empty()),
            outcome,
            // Accepting with materials still missing defers them all (容缺受理); the rules
            // refuse any the catalogue does not allow to be deferred, naming them.
            deferred: if action == Action::Accept {
                current
                    .case
                    .materials
                    .iter()
                    .filter(|m| m.status == MaterialStatus::Missing)
                    .map(|m| m.code.clone())
                    .collect()
            } else {
                Vec::new()
            },
            due: match action {
                Action::Accept => Some(due.get_untracked()),
                Action::Return => Some(notice_due.get_untracked()),
                _ => None,
            }
            .filter(|d| !d.is_empty()),
            ground: ground
                .get_untracked()
                .filter(|_| action == Action::RefuseIntake),
            refer_to: Some(refer_to.get_untracked())
                .filter(|r| action == Action::RefuseIntake && !r.trim().is_empty()),
            days: days
                .get_untracked()
                .trim()
                .parse()
                .ok()
                .filter(|_| action == Action::Extend),
            delivery: (action == Action::Deliver).then(|| Delivery {
                method: method.get_untracked(),
                recipient: recipient.get_untracked(),
                tracking: Some(tracking.get_untracked()).filter(|t| !t.trim().is_empty()),
            }),
            step: (action == Action::RecordStep).then(|| step.get_untracked()),
            // Each 姓名:关系 as typed; one that does not read goes as it is, for the rules to
            // refuse by name.
            members: if action == Action::RecordStep && step.get_untracked() == StepKind::HomeVisit
            {
                members
                    .get_untracked()
                    .split([',', '，', '、', '\n'])
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(|m| {
                        Member::parse(m).unwrap_or_else(|_| Member {
                            name: m.to_string(),
                            relation: String::new(),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            },
            // What the window cannot read as a number goes as 0, which the rules refuse by name.
            publicity: (action == Action::RecordStep
                && step.get_untracked() == StepKind::Publicity)
                .then(|| Publicity {
                    from: posted_on.get_untracked(),
                    household: household.get_untracked().trim().parse().unwrap_or(0),
                    monthly_yuan: monthly.get_untracked().trim().parse().unwrap_or(0),
                }),
            rectification: (action == Action::Rectify).then(|| Rectification {
                follow_up: follow_up.get_untracked(),
                action: measures.get_untracked(),
            }),
        };
        spawn_local(async move {
            match api::act(form).await {
                Ok(updated) => {
                    failure.set(None);
                    reason.set(String::new());
                    reassign_to.set(String::new());
                    view.set(Some(updated));
                }
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let actions = move || view.get().map(|v| v.actions).unwrap_or_default();
    let can_return = move || actions().contains(&Action::Return);
    // A supplement after a notice may bring some of what it listed.
    let can_bring = move || {
        actions().contains(&Action::Supplement)
            && view
                .get()
                .is_some_and(|v| v.case.status == CaseStatus::SupplementRequested)
    };
    let can_defer = move || {
        actions().contains(&Action::Accept)
            && view.get().is_some_and(|v| {
                v.case
                    .materials
                    .iter()
                    .any(|m| m.status == MaterialStatus::Missing)
            })
    };
    view! {
        <Show when=move || !actions().is_empty()>
            <div class="actions card-section" id="actions">
                <Show when=can_return>
                    <fieldset class="missing" id="notice-materials">
                        <legend>{tr.t(Key::MissingToBring)}</legend>
                        {move || view.get().map(|v| v.case.materials.into_iter()
                            .map(|m| ticked("missing", m, missing)).collect_view())}
                        <label class="field">
                            <span>{tr.t(Key::NoticeDue)}</span>
                            <input type="date" id="notice-due" prop:value=move || notice_due.get()
                                on:input=move |ev| notice_due.set(event_target_value(&ev))/>
                        </label>
                    </fieldset>
                </Show>
                <Show when=can_bring>
                    <fieldset class="missing" id="brought-materials">
                        <legend>{tr.t(Key::BroughtMaterials)}</legend>
                        {move || view.get().map(|v| {
                            let awaited = tongban_domain::materials::awaited_in(&v.case.events);
                            v.case.materials.into_iter().filter(|m| awaited.contains(&m.code))
                                .map(|m| ticked("brought", m, brought)).collect_view()
                        })}
                    </fieldset>
                </Show>
                <Show when=can_defer>
                    <fieldset class="missing" id="defer-materials">
                        <legend>{tr.t(Key::DeferredMaterials)}</legend>
                        <p>{move || view.get().map(|v| v.case.materials.into_iter()
                            .filter(|m| m.status == MaterialStatus::Missing)
                            .map(|m| m.name).collect::<Vec<_>>().join("、")).unwrap_or_default()}</p>
                        <label class="field">
                            <span>{tr.t(Key::DeferDue)}</span>
                            <input type="date" id="defer-due" prop:value=move || due.get()
                                on:input=move |ev| due.set(event_target_value(&ev))/>
                        </label>
                    </fieldset>
                </Show>
                <Show when=move || actions().contains(&Action::Rectify)>
                    <fieldset class="rectify">
                        <legend>{tr.t(Key::ActRectify)}</legend>
                        <label class="field">
                            <span>{tr.t(Key::RectifyFollowUp)}</span>
                            <textarea id="rectify-follow-up" prop:value=move || follow_up.get()
                                on:input=move |ev| follow_up.set(event_target_value(&ev))></textarea>
                        </label>
                        <label class="field">
                            <span>{tr.t(Key::RectifyAction)}</span>
                            <textarea id="rectify-action" prop:value=move || measures.get()
                                on:input=move |ev| measures.set(event_target_value(&ev))></textarea>
                        </label>
                    </fieldset>
                </Show>
                <Show when=move || actions().contains(&Action::Reassign)>
                    <label class="field">
                        <span>{tr.t(Key::ReassignTo)}</span>
                        <input id="reassign-to" prop:value=move || reassign_to.get()
                            on:input=move |ev| reassign_to.set(event_target_value(&ev))/>
                    </label>
                </Show>
                <Show when=move || actions().contains(&Action::Extend)>
                    <label class="field">
                        <span>{tr.t(Key::ExtendDays)}</span>
                        <input id="extend-days" type="number" min="1" max="10" prop:value=move || days.get()
                            on:input=move |ev| days.set(event_target_value(&ev))/>
                    </label>
                </Show>
                <Show when=move || actions().contains(&Action::RecordStep)>
                    <fieldset class="missing" id="assistance-step">
                        <legend>{tr.t(Key::StepKindLegend)}</legend>
                        {StepKind::ALL.into_iter().map(|s| view! {
                            <label>
                                <input type="radio" name="step" id=format!("step-{}", s.as_str())
                                    prop:checked=move || step.get() == s
                                    on:change=move |_| step.set(s)/>
                                {tr.t(Key::step(s))}
                            </label>
                        }).collect_view()}
                        <Show when=move || step.get() == StepKind::HomeVisit>
                            <label class="field">
                                <span>{tr.t(Key::VisitMembers)}</span>
                                <input id="visit-members" prop:value=move || members.get()
                                    on:input=move |ev| members.set(event_target_value(&ev))/>
                            </label>
                        </Show>
                        <Show when=move || step.get() == StepKind::Publicity>
                            <label class="field">
                                <span>{tr.t(Key::PublicityFrom)}</span>
                                <input type="date" id="publicity-from" prop:value=move || posted_on.get()
                                    on:input=move |ev| posted_on.set(event_target_value(&ev))/>
                            </label>
                            <label class="field">
                                <span>{tr.t(Key::PublicityHousehold)}</span>
                                <input type="number" min="1" id="publicity-household" prop:value=move || household.get()
                                    on:input=move |ev| household.set(event_target_value(&ev))/>
                            </label>
                            <label class="field">
                                <span>{tr.t(Key::PublicityAmount)}</span>
                                <input type="number" min="1" id="publicity-amount" prop:value=move || monthly.get()
                                    on:input=move |ev| monthly.set(event_target_value(&ev))/>
                            </label>
                        </Show>
                    </fieldset>
                </Show>
                <Show when=move || actions().contains(&Action::Deliver)>
                    <fieldset class="missing" id="delivery">
                        <legend>{tr.t(Key::DeliveryMethod)}</legend>
                        {DeliveryMethod::ALL.into_iter().map(|m| view! {
                            <label>
                                <input type="radio" name="delivery-method" id=format!("method-{}", m.as_str())
                                    prop:checked=move || method.get() == m
                                    on:change=move |_| method.set(m)/>
                                {tr.t(Key::method(m))}
                            </label>
                        }).collect_view()}
                        <label class="field">
                            <span>{tr.t(Key::DeliveryTracking)}</span>
                            <input id="delivery-tracking" prop:value=move || tracking.get()
                                on:input=move |ev| tracking.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>{tr.t(Key::DeliveryRecipient)}</span>
                            <input id="delivery-recipient" prop:value=move || recipient.get()
                                on:input=move |ev| recipient.set(event_target_value(&ev))/>
                        </label>
                    </fieldset>
                </Show>
                <Show when=move || actions().contains(&Action::RefuseIntake)>
                    <fieldset class="missing" id="refusal-ground">
                        <legend>{tr.t(Key::RefusalGround)}</legend>
                        {RefusalGround::ALL.into_iter().map(|g| view! {
                            <label>
                                <input type="radio" name="refusal-ground" id=format!("ground-{}", g.as_str())
                                    prop:checked=move || ground.get() == Some(g)
                                    on:change=move |_| ground.set(Some(g))/>
                                {tr.t(Key::ground(g))}
                            </label>
                        }).collect_view()}
                        <label class="field">
                            <span>{tr.t(Key::ReferTo)}</span>
                            <input id="refer-to" prop:value=move || refer_to.get()
                                on:input=move |ev| refer_to.set(event_target_value(&ev))/>
                        </label>
                    </fieldset>
                </Show>
                <label class="field">
                    <span>{tr.t(Key::Reason)}</span>
                    <input id="act-reason" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))/>
                </label>
                <div class="buttons">
                    {move || actions().into_iter().map(|action| {
                        if action == Action::Resolve {
                            // One button per outcome in conflict.
                            let outcomes: Vec<CaseStatus> = view.get().and_then(|v| v.case.conflict)
                                .map(|c| c.options.into_iter().map(|o| o.outcome).collect())
                                .unwrap_or_default();
                            outcomes.into_iter().map(|outcome| view! {
                                <button id=format!("act-resolve-{}", outcome.as_str()) disabled=move || busy.get()
                                    on:click=move |_| take(Action::Resolve, Some(outcome))>
                                    {move || format!("{}{}", tr.now(Key::ActResolve), tr.now(Key::status(outcome)))}</button>
                            }).collect_view().into_any()
                        } else {
                            let class = if action.is_decision() { "primary" } else { "" };
                            view! {
                                <button id=action_id(action) class=class disabled=move || busy.get()
                                    on:click=move |_| take(action, None)>
                                    {tr.t(Key::action(action))}</button>
                            }.into_any()
                        }
                    }).collect_view()}
                </div>
                <p class="form-error" id="act-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            </div>
        </Show>
    }
}

/// The signed-in user's queues: mine, awaiting my decision, returned, due soon or overdue.
#[component]
pub fn Queues() -> impl IntoView {
    let tr = Tr::get();
    let screen = expect_context::<RwSignal<Screen>>();
    let desk = expect_context::<crate::app::Desk>();
    let supervisor = move || {
        desk.0.get().and_then(|s| s.role).is_some_and(|r| {
            matches!(
                r,
                tongban_domain::Role::Supervisor | tongban_domain::Role::County
            )
        })
    };
    let queues = RwSignal::new(WorkQueues::default());
    let failure = RwSignal::new(None::<UiError>);
    spawn_local(async move {
        match api::queues().await {
            Ok(q) => queues.set(q),
            Err(e) => failure.set(Some(e)),
        }
    });
    let section = move |id: &'static str, title: Key, pick: fn(&WorkQueues) -> Vec<CaseSummary>| {
        view! {
            <section class="queue" id=id>
                <h2>{tr.t(title)}" "<span class="count">{move || pick(&queues.get()).len()}</span></h2>
                <ul>
                    {move || pick(&queues.get()).into_iter().map(|c| {
                        let number = c.number.clone();
                        let flag = c.flag.map(|f| f.as_str()).unwrap_or("");
                        let status = c.status.parse::<CaseStatus>().map(|s| tr.now(Key::status(s))).unwrap_or("");
                        view! {
                            <li class=format!("flag-{flag}")>
                                <button class="link mono" on:click=move |_| screen.set(Screen::Detail(number.clone()))>{c.number.clone()}</button>
                                <span>{c.applicant_name}</span>
                                <span>{status}</span>
                                <span>{c.rectify_by.clone().map_or_else(|| c.deadline.clone().unwrap_or_default(),
                                    |by| format!("{} {by}", tr.now(Key::RectifyBy)))}</span>
                                {c.materials_due.map(|due| view! {
                                    <span class="materials-due">{tr.now(Key::Deferred)}" "{due}</span>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    };
    view! {
        <div class="card queues">
            <p class="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            {section("queue-mine", Key::QueueMine, |q| q.mine.clone())}
            <Show when=supervisor>
                {section("queue-awaiting", Key::QueueAwaiting, |q| q.awaiting_decision.clone())}
            </Show>
            {section("queue-returned", Key::QueueReturned, |q| q.returned.clone())}
            {section("queue-due", Key::QueueDue, |q| q.due.clone())}
            <Show when=supervisor>
                {section("queue-rectify", Key::QueueRectify, |q| q.rectification.clone())}
            </Show>
        </div>
    }
}
