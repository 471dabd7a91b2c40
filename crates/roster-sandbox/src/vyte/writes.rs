//! Vyte's writes, each undoable: the create (an idempotent upsert), the booking-page guide's
//! `PUT /v2/users` upsert, an update, and a batch item's update.

use roster::vyte::types;

use super::checks::extid;
use super::store::{Applied, Store, StoredUser, Undo, now};
use super::{CALENDARS, Reject};

/// The body's settings that a stored user keeps (everything but email and extid).
pub(super) fn set_fields(user: &mut StoredUser, item: &types::UserUpsert) {
    if let Some(profile) = &item.user {
        if let Some(first) = &profile.first_name {
            user.first_name = Some(first.clone());
        }
        if let Some(last) = &profile.last_name {
            user.last_name = Some(last.clone());
        }
        if let Some(language) = &profile.language {
            user.language = Some(language.to_string());
        }
        if let Some(timezone) = &profile.timezone {
            user.timezone = Some(timezone.0.clone());
        }
        if let Some(url) = &profile.picture_url {
            user.picture_url = Some(url.clone());
        }
    }
    for calendar in &item.calendars {
        if let Some(bit) = CALENDARS
            .iter()
            .position(|c| calendar.source.as_ref() == Some(c))
        {
            user.calendars |= 1 << bit;
        }
    }
}

/// Updates user `seq` with `item`: 404 if there is none, 400 if its new email or extid is
/// another user's.
pub(super) fn update_one(
    store: &mut Store,
    seq: u64,
    item: &types::UserUpsert,
) -> Result<Undo, Reject> {
    let previous = store.remove(seq).ok_or_else(Reject::not_found)?;
    let mut user = previous.clone();
    if let Some(email) = item.user.as_ref().and_then(|p| p.email.as_ref()) {
        if store.by_email.contains_key(&email.to_ascii_lowercase()) {
            store.insert(seq, previous);
            return Err(Reject::conflict(format!(
                "Email already used by another user: {email}"
            )));
        }
        user.email = Some(email.clone());
    }
    if let Some(extid) = extid(item) {
        if store.by_extid.contains_key(extid) {
            store.insert(seq, previous);
            return Err(Reject::conflict(format!(
                "extid already used by another user: {extid}"
            )));
        }
        user.extid = Some(extid.to_owned());
    }
    set_fields(&mut user, item);
    user.updated_at = now();
    user.version += 1;
    store.insert(seq, user);
    Ok(Undo {
        seq,
        previous: Some(previous),
    })
}

/// The create (upsert): the user named by `id`, else by a linked `extid`, else by a linked
/// email is updated; otherwise a user is created (Vyte requires nothing, not even an email).
pub(super) fn create_one(
    store: &mut Store,
    item: &types::UserUpsert,
) -> Result<(Applied, Undo), Reject> {
    let email = item.user.as_ref().and_then(|p| p.email.as_deref());
    let target = match &item.id {
        Some(id) => Some(store.seq(id)?),
        None => extid(item)
            .and_then(|x| store.by_extid.get(x))
            .or_else(|| email.and_then(|e| store.by_email.get(&e.to_ascii_lowercase())))
            .copied(),
    };
    if let Some(seq) = target {
        let undo = update_one(store, seq, item)?;
        return Ok((
            Applied {
                seq,
                signup_link: false,
            },
            undo,
        ));
    }
    let seq = store.next;
    store.next += 1;
    let at = now();
    let mut user = StoredUser {
        email: email.map(str::to_owned),
        first_name: None,
        last_name: None,
        language: None,
        timezone: None,
        picture_url: None,
        extid: extid(item).map(str::to_owned),
        calendars: 0,
        created_at: at,
        updated_at: at,
        version: 0,
    };
    set_fields(&mut user, item);
    store.insert(seq, user);
    Ok((
        Applied {
            seq,
            signup_link: item.finish_signup_with.is_some(),
        },
        Undo {
            seq,
            previous: None,
        },
    ))
}

/// The item of a batch update: its user is named by `id`, else by `extid`, else by a linked
/// email; 404 when none names a user.
pub(super) fn update_batch_item(
    store: &mut Store,
    item: &types::UserUpsert,
) -> Result<(Applied, Undo), Reject> {
    let email = item.user.as_ref().and_then(|p| p.email.as_deref());
    let seq = match (&item.id, extid(item)) {
        (Some(id), _) => store.seq(id)?,
        (None, Some(extid)) => *store.by_extid.get(extid).ok_or_else(Reject::not_found)?,
        (None, None) => *email
            .and_then(|e| store.by_email.get(&e.to_ascii_lowercase()))
            .ok_or_else(Reject::not_found)?,
    };
    let undo = update_one(store, seq, item)?;
    Ok((
        Applied {
            seq,
            signup_link: false,
        },
        undo,
    ))
}

pub(super) type ApplyFn = fn(&mut Store, &types::UserUpsert) -> Result<(Applied, Undo), Reject>;

/// `PUT /v2/users`: the booking-page guide's single-user upsert, keyed on `extid`, then on
/// `user.email`; a user named by neither is created.
pub(super) fn upsert_one(
    store: &mut Store,
    item: &types::UserUpsert,
) -> Result<(Applied, Undo), Reject> {
    let email = item.user.as_ref().and_then(|p| p.email.as_deref());
    let target = extid(item)
        .and_then(|x| store.by_extid.get(x))
        .or_else(|| email.and_then(|e| store.by_email.get(&e.to_ascii_lowercase())))
        .copied();
    match target {
        Some(seq) => {
            let undo = update_one(store, seq, item)?;
            Ok((
                Applied {
                    seq,
                    signup_link: false,
                },
                undo,
            ))
        }
        None => create_one(
            store,
            &types::UserUpsert {
                id: None,
                ..item.clone()
            },
        ),
    }
}
