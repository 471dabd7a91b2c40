//! The vendor-neutral person Roster provisions.

use std::fmt;

/// A person to provision into one or all vendors.
///
/// The common fields map onto each vendor's user; the `*_extras` hold what only one vendor
/// has. Build one with [`Member::new`], which checks the email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Administrator of the organisation (VEO Organisation Admin). Vyte has no organisation
    /// admin to set, and its team admin lists are left as they are
    /// ([`Provisioner::sync_vyte_teams`](crate::Provisioner::sync_vyte_teams)).
    pub admin: bool,
    /// Vectera-only settings.
    pub vectera: VecteraExtras,
    /// Vyte-only settings.
    pub vyte: VyteExtras,
    /// VEO-only settings.
    pub veo: VeoExtras,
}

/// Vectera-only member settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VecteraExtras {
    /// A managed user cannot edit their own profile and logs in through login links only.
    pub managed: bool,
}

/// Vyte-only member settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VyteExtras {
    /// IANA time zone (`Europe/Paris`).
    pub timezone: Option<String>,
    /// Two-letter language code (`fr`).
    pub language: Option<String>,
    /// The Vyte teams the member belongs to, each named by its `extid` or its name (a team
    /// named by neither is created). Kept in step by
    /// [`Provisioner::sync_vyte_teams`](crate::Provisioner::sync_vyte_teams); creating or
    /// updating the member's user does not touch teams.
    pub teams: Vec<String>,
}

/// VEO-only member settings. VEO's invitations, the only way the facade adds a member,
/// take no region, so there is none here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VeoExtras {
    /// Ids of the groups (communities) to add the member to when invited.
    pub communities: Vec<i64>,
}

/// Why a [`Member`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemberError {
    /// The email address is not of the form `local@domain.tld`.
    #[error("invalid email address {0:?}: expected local@domain.tld")]
    InvalidEmail(String),
    /// The first name is empty.
    #[error("the first name of {0} is empty")]
    EmptyFirstName(String),
    /// A name holds a control character (NUL, ESC, CR/LF, DEL, …) or a bidirectional
    /// override: it would reach the vendors and every terminal that shows the name.
    #[error("{field} of {email} contains the control character {character}")]
    ControlCharacter {
        /// The field: `first_name` or `last_name`.
        field: &'static str,
        /// The member's address.
        email: String,
        /// The character, escaped (`U+001B`).
        character: String,
    },
}

impl Member {
    /// A member with the given email and names, not an admin, no vendor extras.
    ///
    /// # Errors
    /// [`MemberError`] for an invalid email address, an empty first name, or a name holding a
    /// control character.
    pub fn new(
        email: &str,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
    ) -> Result<Self, MemberError> {
        let email = email.trim();
        if !is_plausible_email(email) {
            return Err(MemberError::InvalidEmail(email.to_owned()));
        }
        let first_name = first_name.into().trim().to_owned();
        if first_name.is_empty() {
            return Err(MemberError::EmptyFirstName(email.to_owned()));
        }
        let last_name = last_name.into().trim().to_owned();
        for (field, value) in [("first_name", &first_name), ("last_name", &last_name)] {
            if let Some(character) = Self::control_character(value) {
                return Err(MemberError::ControlCharacter {
                    field,
                    email: email.to_owned(),
                    character,
                });
            }
        }
        Ok(Self {
            email: email.to_owned(),
            first_name,
            last_name,
            admin: false,
            vectera: VecteraExtras::default(),
            vyte: VyteExtras::default(),
            veo: VeoExtras::default(),
        })
    }

    /// The first control character (or bidirectional override) of `text`, as `U+001B`.
    ///
    /// ```
    /// assert_eq!(roster::Member::control_character("Ann\u{1b}[31m"), Some("U+001B".to_owned()));
    /// assert_eq!(roster::Member::control_character("Zoë"), None);
    /// ```
    pub fn control_character(text: &str) -> Option<String> {
        text.chars()
            .find(|&c| {
                c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .map(|c| format!("U+{:04X}", u32::from(c)))
    }

    /// The member as an administrator.
    pub fn admin(mut self, admin: bool) -> Self {
        self.admin = admin;
        self
    }

    /// The email address, as given (trimmed).
    pub fn email(&self) -> &str {
        &self.email
    }

    /// Whether `other` is this member's address (email comparison ignores case, as the
    /// vendors' searches do).
    pub fn has_email(&self, other: &str) -> bool {
        self.email.eq_ignore_ascii_case(other.trim())
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} <{}>", self.first_name, self.last_name, self.email)
    }
}

/// `local@domain.tld`, no whitespace or control characters, one `@`, a dot in the domain that
/// neither starts nor ends it. Deliberately simple: the vendors have the final word.
fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked() {
        for good in ["ann@example.com", " Ann.Smith+x@mail.example.co.uk "] {
            assert!(Member::new(good, "Ann", "Smith").is_ok(), "{good}");
        }
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann smith@example.com",
            "ann@example..com",
            "ann@.example.com",
            "ann@example.com.",
            "ann@exa\nmple.com",
        ] {
            let err = Member::new(bad, "Ann", "Smith").expect_err(bad);
            assert!(
                err.to_string().starts_with("invalid email address"),
                "{err}"
            );
        }
        assert_eq!(
            Member::new("ann@example.com", " ", "Smith"),
            Err(MemberError::EmptyFirstName("ann@example.com".into()))
        );
    }

    #[test]
    fn names_with_control_characters_are_refused_naming_the_field() {
        for (first, last, field, character) in [
            ("Ann\u{1b}[2J", "Smith", "first_name", "U+001B"),
            ("Ann", "Sm\0ith", "last_name", "U+0000"),
            ("An\rn", "Smith", "first_name", "U+000D"),
            ("Ann", "Smi\nth", "last_name", "U+000A"),
            ("Ann\u{7f}", "Smith", "first_name", "U+007F"),
            ("Ann", "Smith\u{7}x", "last_name", "U+0007"),
            ("Ann", "\u{9b}31m", "last_name", "U+009B"),
            ("\u{202e}nnA", "Smith", "first_name", "U+202E"),
        ] {
            let err = Member::new("ann@example.com", first, last).expect_err(first);
            assert_eq!(
                err,
                MemberError::ControlCharacter {
                    field,
                    email: "ann@example.com".into(),
                    character: character.into()
                }
            );
            assert_eq!(
                err.to_string(),
                format!("{field} of ann@example.com contains the control character {character}")
            );
        }
        assert!(Member::new("zoe@example.com", "Zoë", "Ångström-O'Neil").is_ok());
    }

    #[test]
    fn email_matching_ignores_case() {
        let ann = Member::new("Ann@Example.com", "Ann", "Smith").expect("valid");
        assert!(ann.has_email("ann@example.com"));
        assert!(!ann.has_email("anne@example.com"));
        assert_eq!(ann.to_string(), "Ann Smith <Ann@Example.com>");
    }
}
