//! The domain's errors. Services return [`AppError`], which knows nothing of HTTP; the
//! `api` crate maps each variant to one problem+json response.
//!
//! Every field error carries a stable [`Code`] and its [`Params`] beside the English
//! message, so a client words it in its own language; the Chinese wording of each code
//! (a template the console fills in) is the code's name in the vocabulary.

use sea_orm::{DbErr, SqlErr};

entity::keyed_enum!(
    /// What is wrong with a field. The Chinese name is a template: `{label}` is the
    /// field's own label, `{field}` the label of the field in `params.field`, and `{min}`,
    /// `{max}`, `{values}`, `{what}`, `{expected}`, `{kind}`, `{from}`, `{to}` the
    /// parameters of the same names (`what`, `expected` and `kind` by their Chinese names).
    Code {
        /// Missing or empty.
        Required => ("required", "请填写{label}"),
        /// Longer than `max` characters.
        TooLong => ("too_long", "{label}不能超过 {max} 个字"),
        /// Shorter than `min` characters.
        TooShort => ("too_short", "{label}至少需要 {min} 个字符"),
        /// Not a real calendar day.
        NotADate => ("not_a_date", "{label}不是有效的日期"),
        /// A day or time after today (`params.to`: today).
        InFuture => ("in_future", "{label}不能晚于今天"),
        /// A day before `from` (the earliest day the system takes).
        TooEarly => ("too_early", "{label}不能早于 {from}"),
        /// Earlier than the field `params.field` allows.
        BeforeField => ("before_field", "{label}不能早于{field}"),
        /// Later than the field `params.field` allows.
        AfterField => ("after_field", "{label}不能晚于{field}"),
        /// A count larger than the count in `params.field`.
        MoreThanField => ("more_than_field", "{label}不能多于{field}"),
        /// A score lower than the score in `params.field`.
        LessThanField => ("less_than_field", "{label}不能低于{field}"),
        /// A number outside `min`..=`max`.
        OutOfRange => ("out_of_range", "{label}须在 {min} 至 {max} 之间"),
        /// A list with fewer than `min` or more than `max` items.
        CountOutOfRange => ("count_out_of_range", "{label}须有 {min} 至 {max} 项"),
        /// Not one of the values in `allowed`.
        UnknownValue => ("unknown_value", "{label}的取值无效"),
        /// The same value twice (`values`), or a value already taken.
        NotUnique => ("not_unique", "{label}有重复：{values}"),
        /// Names a `what` by a name several records share (`values`: the name).
        Ambiguous => ("ambiguous", "有多个{what}名为“{values}”，请改填编号"),
        /// Names a `what` that does not exist (`values`: the ones not found).
        NotFound => ("not_found", "{label}中的{what}不存在：{values}"),
        /// A JSON value of the wrong type (`expected`).
        WrongType => ("wrong_type", "{label}应为{expected}"),
        /// A value not written the way `expected` says.
        BadFormat => ("bad_format", "{label}的格式不对，应为{expected}"),
        /// A field the request does not have.
        UnknownField => ("unknown_field", "请求中有无法识别的项目：{label}"),
        /// Names a unit or person outside the caller's data scope (`values`).
        OutOfScope => ("out_of_scope", "{label}超出您的管理范围"),
        /// A value the caller may not set (a role they may not grant).
        NotAllowed => ("not_allowed", "您无权这样设置{label}"),
        /// Would disable, or take the administrator role from, the caller's own account.
        OwnAccount => ("own_account", "不能停用自己的账号或取消自己的管理员角色"),
        /// Would move a unit under itself or one of its sub-units.
        Cycle => ("cycle", "不能把单位移到它自己或它的下级单位之下"),
        /// Names a `what` that is not part of this campaign, attempt or practice set.
        NotPartOf => ("not_part_of", "{label}不属于{what}"),
        /// Only an activity of `kind` has this field.
        OnlyForKind => ("only_for_kind", "只有{kind}才能填写{label}"),
        /// Names disabled accounts (`values`).
        Disabled => ("disabled", "{label}中有已停用的账号：{values}"),
        /// An uploaded file lacks this column.
        MissingColumn => ("missing_column", "文件缺少“{label}”列"),
        /// An uploaded file holds no records.
        EmptyFile => ("empty_file", "文件中没有可导入的记录"),
        /// A study session longer than `max` hours.
        SessionTooLong => ("session_too_long", "单次学习不能超过 {max} 小时"),
        /// A phone's clock more than `max` hours from the server's.
        ClockTooFar => ("clock_too_far", "{label}与服务器时间相差超过 {max} 小时，请先校准手机时间"),
        /// Outside the campaign's study window `from`..=`to`.
        OutsideWindow => ("outside_window", "{label}不在学习时间（{from} 至 {to}）之内"),
        /// Exam papers that would apply to the same cadres (`values`: their keys).
        Overlapping => ("overlapping", "试卷的适用对象重叠：{values}"),
        /// A line of an uploaded file that cannot be read at all.
        Unreadable => ("unreadable", "该行无法读取"),
        /// A password with fewer than `min` of: lower-case, capitals, digits, symbols.
        PasswordClasses => ("password_classes", "{label}须包含小写字母、大写字母、数字、符号中的至少 {min} 类"),
        /// A password containing the account's username.
        PasswordHasUsername => ("password_has_username", "{label}不能包含用户名"),
        /// A password on the list of common passwords.
        PasswordCommon => ("password_common", "{label}过于常见，容易被猜中，请换一个"),
        /// A password that is one of the account's last `max`.
        PasswordReused => ("password_reused", "{label}不能与最近 {max} 次用过的密码相同"),
        /// A one-time code that is wrong, outside its window, or already used.
        WrongCode => ("wrong_code", "{label}不正确或已使用过，请输入身份验证器上当前的动态码"),
        /// Two of the administrator roles (or one with `admin`) on one account while
        /// separation of duties is on.
        SeparationOfDuties => ("separation_of_duties", "三权分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任"),
        /// A 述职述法 for a cadre who is not a leading cadre (`is_leader`).
        NotALeader => ("not_a_leader", "{label}不是领导干部，述职述法只记录领导干部"),
        /// `adopted` for a decision the legality review found unlawful.
        UnlawfulAdopted => ("unlawful_adopted", "经合法性审查认定不合法的决策，不能进入决策程序"),
    }
);

entity::keyed_enum!(
    /// The kind of record a `not_found` or `not_part_of` error names.
    Thing {
        Unit => ("unit", "单位"),
        Account => ("account", "账号"),
        Cadre => ("cadre", "干部账号"),
        Course => ("course", "课程"),
        Campaign => ("campaign", "学法活动"),
        Question => ("question", "试题"),
        Attempt => ("attempt", "本次考试"),
        Practice => ("practice", "本次练习"),
    }
);

entity::keyed_enum!(
    /// What a `wrong_type` or `bad_format` error expected.
    Format {
        Integer => ("integer", "整数"),
        Number => ("number", "数字"),
        Text => ("string", "文字"),
        Boolean => ("boolean", "是或否"),
        List => ("list", "列表"),
        Object => ("object", "对象"),
        Date => ("date", "日期（年-月-日）"),
        DateTime => ("date_time", "带时区的时间"),
        Uuid => ("uuid", "UUID 编号"),
        Phone => ("phone", "11 位手机号码"),
        Amount => ("amount", "金额（元，最多两位小数）"),
        Key => ("key", "1 至 30 个字母、数字、- 或 _"),
        Username => ("username", "不含空格的文字"),
        Answer => ("answer", "选项字母（如 AC）或 对/错"),
        Difficulty => ("difficulty", "1、2、3 或 易、中、难"),
        Pool => ("pool", "考试 或 练习"),
        QuestionKind => ("question_kind", "单选、多选 或 判断"),
        Path => ("path", "以 / 开头的本站地址"),
        Url => ("url", "以 http:// 或 https:// 开头的网址"),
    }
);

entity::keyed_enum!(
    /// Why a sign-in or a request of a signed-in account is refused although the
    /// credentials are good: the `code` of the 401 or 403, with what the console says.
    Denial {
        /// A session unused for longer than the idle timeout (401).
        SessionExpired => ("session_expired", "您长时间未操作，已自动退出登录，请重新登录。"),
        /// The account signs in with a second factor and none was given (401).
        TotpRequired => ("totp_required", "请输入身份验证器显示的 6 位动态码（或一个恢复码）。"),
        /// The code is wrong, out of its window, or was already used (401).
        TotpInvalid => ("totp_invalid", "动态码不正确或已使用过，请输入身份验证器上新的动态码。"),
        /// The password must be changed before anything else (403).
        PasswordChangeRequired => ("password_change_required", "请先修改密码，再继续使用系统。"),
        /// The account must enrol a second factor before anything else (403).
        TotpEnrollmentRequired => ("totp_enrollment_required", "请先绑定身份验证器（双因素认证），再继续使用系统。"),
        /// The account's roles sign in through the identity provider, not a password (401).
        PasswordLoginDisabled => ("password_login_disabled", "您的账号请使用统一身份认证登录。"),
        /// The identity provider knows the person, but xuefa has no active account for them.
        SsoNoAccount => ("sso_no_account", "没有找到与您对应的账号，请联系组织人事部门。"),
        /// A provider's sign-in that cannot be trusted (state, nonce, token) or a one-time
        /// code unknown or used.
        SsoInvalid => ("sso_invalid", "统一身份认证未能完成，请重新登录。"),
        /// A provider's sign-in, or its one-time code, that took too long.
        SsoExpired => ("sso_expired", "登录已超时，请重新登录。"),
        /// The provider cannot be reached.
        SsoUnavailable => ("sso_unavailable", "暂时无法连接统一身份认证，请稍后再试，或联系管理员。"),
    }
);

impl Denial {
    /// 401 when the client should sign in (again), 403 when it is signed in but must
    /// first do something else.
    pub fn is_unauthenticated(self) -> bool {
        !matches!(
            self,
            Denial::PasswordChangeRequired | Denial::TotpEnrollmentRequired
        )
    }
}

entity::keyed_enum!(
    /// Why a request clashes with what is stored: the `code` of a 409 problem, with the
    /// sentence the console shows.
    Clash {
        /// A record with the same unique value exists (username, employee number…).
        Duplicate => ("duplicate", "已有相同的记录（如用户名或工号重复）。"),
        /// The record refers to, or is referred to by, another record.
        InUse => ("in_use", "该记录仍被其他记录使用，不能这样修改或删除。"),
        /// A unit that still has sub-units, accounts or activities.
        UnitInUse => ("unit_in_use", "该单位下还有下级单位、账号或活动记录，不能删除。"),
        /// A study session overlapping one already stored.
        Overlap => ("overlap", "与已记录的学习时间重叠。"),
        /// Another session already has this id.
        IdConflict => ("id_conflict", "这条学习记录的编号已被另一条记录使用。"),
        ExamNotOpen => ("exam_not_open", "考试尚未开始。"),
        MakeupNotOpen => ("makeup_not_open", "正考已结束，补考尚未开始。"),
        ExamClosed => ("exam_closed", "考试已结束。"),
        StudyIncomplete => ("study_incomplete", "请先完成规定的学习时长，再参加考试。"),
        NoAttemptsLeft => ("no_attempts_left", "考试次数已用完。"),
        AlreadyPassed => ("already_passed", "您已通过考试，无需补考。"),
        DeadlinePassed => ("deadline_passed", "本次考试时间已到，已按截止前保存的答案交卷。"),
        AttemptFinished => ("attempt_finished", "本次考试已经交卷。"),
        PracticeClosed => ("practice_closed", "练习只在学习开始至考试结束期间开放。"),
        NoQuestions => ("no_questions", "题库中还没有试题。"),
        NotEnoughQuestions => ("not_enough_questions", "题库中符合组卷规则的试题不够。"),
        Retired => ("retired", "已停用的试题不能修改。"),
        /// Taking someone off a roster once they have studied or sat the exam.
        Started => ("started", "此人已开始学习或参加过考试，不能移出名单；不需参加的，请改为免考。"),
        /// `xuefa demo` on a database that already holds data.
        NotEmpty => ("not_empty", "数据库中已有数据。"),
        /// A heartbeat or an end for a live session that has ended.
        SessionEnded => ("session_ended", "本次在线学习已结束，请重新开始计时。"),
        /// Ending a live session of which no stretch could be credited.
        NothingCredited => ("nothing_credited", "本次在线学习没有可计入的时长（页面未在前台、倍速过快或未回答在线确认）。"),
        /// Starting TOTP enrolment on an account that already has a second factor.
        TotpEnabled => ("totp_enabled", "已绑定身份验证器；如需更换，请先解除绑定。"),
        /// Confirming TOTP enrolment that was never started.
        TotpNotStarted => ("totp_not_started", "请先开始绑定身份验证器。"),
        /// Removing a second factor the account does not have.
        TotpNotEnabled => ("totp_not_enabled", "尚未绑定身份验证器。"),
        /// A 述职述法 for a cadre who is not a leading cadre.
        NotALeader => ("not_a_leader", "述职述法只记录领导干部，此人不是领导干部。"),
        /// A second 述职述法 of a leader in one year.
        AlreadyReported => ("already_reported", "此人本年度已有述职述法记录。"),
        /// A save or submit from another device than the attempt's.
        AttemptOnAnotherDevice => ("attempt_on_another_device", "本次考试正在另一台设备上进行；如需在本设备继续，请先接管。"),
    }
);

/// The parameters of a field error; each code documents which it sets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    /// The other field a rule compares with (`before_field`, `more_than_field`…).
    pub field: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The values a field may take (`unknown_value`).
    pub allowed: Option<Vec<String>>,
    /// The values at fault: ids not found, repeated, disabled or outside the scope.
    pub values: Option<Vec<String>>,
    /// The kind of record named (`not_found`, `not_part_of`).
    pub what: Option<Thing>,
    /// What was expected (`wrong_type`, `bad_format`).
    pub expected: Option<Format>,
    /// The activity kind a field belongs to (`only_for_kind`).
    pub kind: Option<String>,
    /// A range of days (`outside_window`); `to` alone is today (`in_future`).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One invalid field of a request (or of one line of an uploaded file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the client sent it (for an import: the column).
    pub field: String,
    pub code: Code,
    /// Boxed: most errors carry none, and a field error travels in `Result`s.
    pub params: Box<Params>,
    /// What is wrong with it, in plain English.
    pub message: String,
    /// For an uploaded file: the 1-based line the error is on (the header is line 1).
    pub line: Option<u64>,
}

impl FieldError {
    /// An error with no parameters.
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            params: Box::default(),
            message: message.into(),
            line: None,
        }
    }

    /// Sets parameters: `FieldError::new(…).with(|p| p.max = Some(200))`.
    pub fn with(mut self, set: impl FnOnce(&mut Params)) -> Self {
        set(&mut self.params);
        self
    }

    /// On line `line` of an uploaded file.
    pub fn at(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The same error for another field (an import's column).
    pub fn named(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, Code::Required, "must not be empty")
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        Self::new(
            field,
            Code::TooLong,
            format!("must be at most {max} characters"),
        )
        .with(|p| p.max = Some(max as i64))
    }

    pub fn too_short(field: impl Into<String>, min: usize) -> Self {
        Self::new(
            field,
            Code::TooShort,
            format!("must be at least {min} characters"),
        )
        .with(|p| p.min = Some(min as i64))
    }

    /// A number outside `min..=max`.
    pub fn out_of_range(field: impl Into<String>, min: i64, max: i64) -> Self {
        Self::bounded(field, Code::OutOfRange, Some(min), Some(max))
    }

    /// A list with a number of items outside `min..=max`.
    pub fn count_out_of_range(field: impl Into<String>, min: usize, max: usize) -> Self {
        Self::bounded(
            field,
            Code::CountOutOfRange,
            Some(min as i64),
            Some(max as i64),
        )
    }

    /// `out_of_range` or `count_out_of_range` with either bound open.
    pub fn bounded(
        field: impl Into<String>,
        code: Code,
        min: Option<i64>,
        max: Option<i64>,
    ) -> Self {
        let noun = if code == Code::CountOutOfRange {
            " items"
        } else {
            ""
        };
        let message = match (min, max) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}{noun}"),
            (Some(min), None) => format!("must be at least {min}{noun}"),
            (None, Some(max)) => format!("must be at most {max}{noun}"),
            (None, None) => "is out of range".to_owned(),
        };
        Self::new(field, code, message).with(|p| {
            p.min = min;
            p.max = max;
        })
    }

    /// Earlier than `other` allows (`message` says how: "must not be before …").
    pub fn before_field(field: impl Into<String>, other: &str, message: &str) -> Self {
        Self::new(field, Code::BeforeField, format!("{message} {other}"))
            .with(|p| p.field = Some(other.to_owned()))
    }

    pub fn more_than_field(field: impl Into<String>, other: &str) -> Self {
        Self::new(
            field,
            Code::MoreThanField,
            format!("must not be more than {other}"),
        )
        .with(|p| p.field = Some(other.to_owned()))
    }

    pub fn less_than_field(field: impl Into<String>, other: &str) -> Self {
        Self::new(
            field,
            Code::LessThanField,
            format!("must not be less than {other}"),
        )
        .with(|p| p.field = Some(other.to_owned()))
    }

    /// Names `what` that does not exist: `values` are the ones not found (may be empty).
    pub fn not_found(field: impl Into<String>, what: Thing, values: Vec<String>) -> Self {
        let message = match values.as_slice() {
            [] => format!("no such {}", what.key()),
            v => format!("no such {}: {}", what.key(), v.join(", ")),
        };
        Self::new(field, Code::NotFound, message).with(|p| {
            p.what = Some(what);
            p.values = Some(values);
        })
    }

    /// Repeated values (`values` may be empty when the repeat is the field itself).
    pub fn not_unique(
        field: impl Into<String>,
        message: impl Into<String>,
        values: Vec<String>,
    ) -> Self {
        Self::new(field, Code::NotUnique, message).with(|p| p.values = Some(values))
    }

    pub fn not_part_of(field: impl Into<String>, what: Thing, message: impl Into<String>) -> Self {
        Self::new(field, Code::NotPartOf, message).with(|p| p.what = Some(what))
    }

    /// Not written as `expected`.
    pub fn bad_format(
        field: impl Into<String>,
        expected: Format,
        message: impl Into<String>,
    ) -> Self {
        Self::new(field, Code::BadFormat, message).with(|p| p.expected = Some(expected))
    }

    /// A day after `today`.
    pub fn in_future(field: impl Into<String>, today: impl std::fmt::Display) -> Self {
        let today = today.to_string();
        Self::new(
            field,
            Code::InFuture,
            format!("must not be in the future (today is {today})"),
        )
        .with(|p| p.to = Some(today))
    }

    /// A day before `from`.
    pub fn too_early(field: impl Into<String>, from: impl std::fmt::Display) -> Self {
        let from = from.to_string();
        Self::new(field, Code::TooEarly, format!("must not be before {from}"))
            .with(|p| p.from = Some(from))
    }

    /// Outside the scope, naming the values that are (may be empty).
    pub fn out_of_scope(
        field: impl Into<String>,
        message: impl Into<String>,
        values: Vec<String>,
    ) -> Self {
        Self::new(field, Code::OutOfScope, message).with(|p| p.values = Some(values))
    }
}

/// A failure in the domain, free of HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// Bad or missing credentials / token.
    Unauthorized(String),
    /// A sign-in or session refused for a reason the client acts on (a second factor
    /// to ask for, a password to change first…): 401 or 403 with the denial's code.
    Denied { code: Denial, detail: String },
    /// The caller's roles or ownership do not allow this.
    Forbidden(String),
    /// The request names a unit or person outside the caller's data scope (管理范围);
    /// `errors` names each field (or import line) that does.
    OutOfScope {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// No such thing (or not visible to the caller).
    NotFound(String),
    /// The request clashes with what is stored (duplicate, overlap, still in use…).
    Conflict { code: Clash, detail: String },
    /// One or more fields are invalid.
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Too many attempts; try again after this many seconds.
    Throttled { retry_after: u64 },
    /// The request body could not be read.
    BadRequest(String),
    /// The body's media type or charset is not one the operation reads.
    UnsupportedMediaType(String),
    /// The body is longer than the operation takes.
    TooLarge(String),
    /// The database does not answer (down, unreachable, or busy past the wait); the
    /// client may retry after this many seconds.
    Unavailable { retry_after: u64 },
    /// The database failed; the cause is logged, not shown.
    Internal(String),
}

/// Seconds a client is asked to wait when the database does not answer.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

/// Whether `err` says the database could not be reached or did not answer in time, as
/// opposed to refusing a statement: no connection within the pool's wait, a connection
/// lost or refused, the server shutting down or starting, or SQLite busy past its timeout.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error as Sqlx};
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL: class 08 (connection exception), 57P01-57P03 (shutting down,
            // cannot connect now); SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with
            // their extended codes.
            code.starts_with("08")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
                || code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
        }),
        _ => false,
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One invalid field.
    pub fn invalid(error: FieldError) -> Self {
        Self::invalid_many(vec![error])
    }

    pub fn invalid_many(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields are invalid"),
        };
        AppError::Invalid { detail, errors }
    }

    pub fn conflict(code: Clash, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    /// A field naming a unit or person outside the caller's scope.
    pub fn out_of_scope(field: &str, message: impl Into<String>) -> Self {
        Self::out_of_scope_many(vec![FieldError::out_of_scope(field, message, Vec::new())])
    }

    pub fn out_of_scope_many(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => match one.line {
                Some(line) => format!("line {line}: {}: {}", one.field, one.message),
                None => format!("{}: {}", one.field, one.message),
            },
            many => format!("{} fields name something outside your scope", many.len()),
        };
        AppError::OutOfScope { detail, errors }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        AppError::Forbidden(detail.into())
    }

    pub fn denied(code: Denial, detail: impl Into<String>) -> Self {
        AppError::Denied {
            code,
            detail: detail.into(),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        // SQLite reports some foreign-key failures with an extended code sea-orm does not
        // classify (1811); the message is stable on both databases.
        let text = err.to_string();
        let classified = err.sql_err().or_else(|| {
            (text.contains("FOREIGN KEY constraint failed")
                || text.contains("violates foreign key constraint"))
            .then(|| SqlErr::ForeignKeyConstraintViolation(text.clone()))
        });
        match classified {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(
                Clash::Duplicate,
                "a record with the same unique value already exists",
            ),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::conflict(
                Clash::InUse,
                "the record refers to, or is referred to by, another record",
            ),
            _ => match err {
                DbErr::RecordNotFound(what) => AppError::NotFound(what),
                other if is_unavailable(&other) => {
                    tracing::warn!(error = %other, "the database is unavailable");
                    AppError::Unavailable {
                        retry_after: UNAVAILABLE_RETRY_AFTER,
                    }
                }
                other => {
                    tracing::error!(error = %other, "database error");
                    AppError::Internal(other.to_string())
                }
            },
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
