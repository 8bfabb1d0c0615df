"""Units, staff, households, persons, incomes and assets. Every change is kept as history
(django-simple-history: who, when, before/after)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from jiuzhu.common import masking as m


class Unit(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", "镇街"
        DEPARTMENT = "department", "部门"

    code = models.CharField("单位代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    division_code = models.CharField("行政区划代码", max_length=12, blank=True)
    is_conference_member = models.BooleanField("联席会议成员单位", default=True)
    is_data_source = models.BooleanField("核对数据来源单位", default=False)
    duties = models.TextField("职责", blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["kind", "sort_order", "code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        """The staff roles; the codes are ``common.masking``'s, which declares what each sees."""

        WINDOW_CLERK = m.WINDOW_CLERK, "一门受理窗口"
        TOWN_CASEWORKER = m.TOWN_CASEWORKER, "镇街社会救助经办"
        DEPARTMENT_OFFICER = m.DEPARTMENT_OFFICER, "部门经办"
        VERIFICATION_OFFICER = m.VERIFICATION_OFFICER, "核对中心"
        DATA_PROVIDER = m.DATA_PROVIDER, "数据提供单位"
        APPROVER = m.APPROVER, "审批"
        SUPERVISOR = m.SUPERVISOR, "监督（纪检、审计、财政）"
        CONVENER = m.CONVENER, "联席会议召集人"
        ADMIN = m.ADMIN, "系统管理员"
        PARTNER = m.PARTNER, "社会力量合作方"

    display_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField("角色", max_length=40, choices=Role.choices, blank=True)
    # recorded so that screening and grant control find a recipient of the staff member's own
    # household, declared or not (DOMAIN §7 "Fraud": close relatives of staff)
    id_number = models.CharField("身份证号码", max_length=18, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    @property
    def effective_role(self) -> str:
        return m.ADMIN if self.is_superuser and not self.role else self.role

    def __str__(self):
        return self.display_name or self.username


class Household(models.Model):
    class Area(models.TextChoices):
        URBAN = "urban", "城市"
        RURAL = "rural", "农村"

    # set on a search's hits (``selectors.search``): whether the reader may open the household
    in_scope: bool

    code = models.CharField("家庭编号", max_length=40, unique=True)
    town = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="households", verbose_name="户籍镇街"
    )
    community = models.CharField("村（社区）", max_length=100)
    division_code = models.CharField("户籍行政区划代码", max_length=12)
    area = models.CharField("城乡", max_length=10, choices=Area.choices)
    address = models.CharField("居住地址", max_length=200)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    dwelling_area = models.DecimalField(
        "现住房建筑面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "家庭"
        indexes = [models.Index(fields=["town", "community"])]

    def __str__(self):
        return self.code


class Person(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDCHILD = "grandchild", "孙子女"
        GRANDPARENT = "grandparent", "祖父母"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他共同生活且有法定赡养扶养抚养义务的人员"

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class LabourCapacity(models.TextChoices):
        FULL = "full", "有劳动能力"
        PARTIAL = "partial", "部分丧失劳动能力"
        NONE = "none", "无劳动能力"

    class DisabilityKind(models.TextChoices):
        NONE = "", "无"
        VISUAL = "visual", "视力残疾"
        HEARING = "hearing", "听力残疾"
        SPEECH = "speech", "言语残疾"
        PHYSICAL = "physical", "肢体残疾"
        INTELLECTUAL = "intellectual", "智力残疾"
        MENTAL = "mental", "精神残疾"
        MULTIPLE = "multiple", "多重残疾"

    class SelfCare(models.TextChoices):
        FULL = "full", "生活能自理"
        PARTIAL = "partial", "生活部分不能自理"
        NONE = "none", "生活完全不能自理"

    class SchoolStage(models.TextChoices):
        NONE = "", "不在学"
        PRESCHOOL = "preschool", "学前教育"
        PRIMARY = "primary", "小学"
        JUNIOR = "junior", "初中"
        SENIOR = "senior", "普通高中"
        VOCATIONAL = "vocational", "中等职业教育"
        UNIVERSITY = "university", "高等教育（本科及以下）"
        POSTGRADUATE = "postgraduate", "研究生"

    class EmploymentStatus(models.TextChoices):
        EMPLOYED = "employed", "就业"
        FLEXIBLE = "flexible", "灵活就业"
        UNEMPLOYED = "unemployed", "失业"
        RETIRED = "retired", "退休"
        STUDENT = "student", "在学"
        NONE = "none", "无业（非劳动年龄或无劳动能力）"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    # Registered from an old 15-digit number (upgraded to 18, its check character computed):
    # a typo in it could not be caught, so matching never treats it as proof of a person.
    id_upgraded = models.BooleanField("身份证号码由15位升级", default=False, db_default=False)
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    labour_capacity = models.CharField(
        "劳动能力", max_length=10, choices=LabourCapacity.choices, default=LabourCapacity.FULL
    )
    disability_kind = models.CharField(
        "残疾类别", max_length=20, choices=DisabilityKind.choices, blank=True, default=DisabilityKind.NONE
    )
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True)
    serious_illness = models.CharField("重特大疾病（病种）", max_length=100, blank=True, default="")
    self_care = models.CharField(
        "生活自理能力", max_length=10, choices=SelfCare.choices, default=SelfCare.FULL
    )
    school_stage = models.CharField(
        "在学阶段", max_length=20, choices=SchoolStage.choices, blank=True, default=SchoolStage.NONE
    )
    employment_status = models.CharField(
        "就业状况", max_length=20, choices=EmploymentStatus.choices, default=EmploymentStatus.NONE
    )
    has_capable_supporter = models.BooleanField("有具备赡养扶养抚养能力的法定义务人", default=True)
    deceased_on = models.DateField("死亡日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disability_grade__isnull=True)
                | models.Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_1_4",
            )
        ]

    def __str__(self):
        return self.name


class Source(models.TextChoices):
    """Where an income or an asset was learnt, as the staff form offers it; the services also
    write their own codes (``change_request``, a data source), so the fields hold any text."""

    SELF_DECLARED = "self_declared", "本人申报"
    INVESTIGATION = "investigation", "入户调查"
    OTHER = "other", "其他"


class IncomeItem(models.Model):
    """One income of one person, as a monthly average over ``period_start``–``period_end``.
    Whether a kind counts is the policy's business (policy.rules), not the registry's."""

    class Kind(models.TextChoices):
        WAGES = "wages", "工资性收入"
        BUSINESS = "business", "家庭经营净收入"
        PROPERTY = "property", "财产净收入"
        TRANSFER = "transfer", "转移性收入"
        PENSION_BASIC = "pension_basic", "城乡居民基本养老保险基础养老金"
        SPECIAL_CARE = "special_care", "优待抚恤金"
        FAMILY_PLANNING = "family_planning", "计划生育奖励与扶助金"
        AWARD = "award", "奖学金、见义勇为等奖励"
        ASSISTANCE = "assistance", "社会救助金"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="incomes")
    kind = models.CharField("收入类别", max_length=20, choices=Kind.choices)
    monthly_amount = models.DecimalField("月均金额（元）", max_digits=12, decimal_places=2)
    source = models.CharField("来源", max_length=60, default=Source.SELF_DECLARED)
    period_start = models.DateField("统计起")
    period_end = models.DateField("统计止")
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "收入"
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_amount__gte=0), name="income_non_negative"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="income_period_order"
            ),
        ]


class Asset(models.Model):
    class Kind(models.TextChoices):
        FINANCIAL = "financial", "金融资产（存款、理财、证券、保险现金价值）"
        VEHICLE = "vehicle", "机动车辆"
        HOUSE = "house", "房产"
        BUSINESS = "business", "工商登记（注册资本）"

    class VehiclePurpose(models.TextChoices):
        NONE = "", "—"
        DISABILITY = "disability", "残疾人功能性补偿代步"
        LIVELIHOOD = "livelihood", "生产经营（维持生计）"
        OTHER = "other", "其他"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assets")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    kind = models.CharField("资产类别", max_length=20, choices=Kind.choices)
    value = models.DecimalField("价值/金额（元）", max_digits=14, decimal_places=2, default=0)
    floor_area = models.DecimalField("建筑面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True)
    vehicle_purpose = models.CharField(
        "车辆用途", max_length=20, choices=VehiclePurpose.choices, blank=True, default=VehiclePurpose.NONE
    )
    source = models.CharField("来源", max_length=60, default=Source.SELF_DECLARED)
    as_of = models.DateField("数据日期")
    description = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "资产"
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="asset_value_non_negative"),
        ]


class StaffRelative(models.Model):
    """A close relative declared by a member of staff, a village/residents' committee member
    or a cadre (近亲属备案, DOMAIN §3): decisions flag their applications for the approver's
    explicit sign-off, and screening links them against the recipients. ``staff`` is set for
    platform users; committee members and cadres without a login are named in
    ``declarant_name`` with their ``declarant_post``."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", "配偶"
        PARENT = "parent", "父母"
        CHILD = "child", "子女"
        SIBLING = "sibling", "兄弟姐妹"
        GRANDPARENT = "grandparent", "祖父母、外祖父母"
        GRANDCHILD = "grandchild", "孙子女、外孙子女"
        IN_LAW = "in_law", "其他近姻亲"

    staff = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="declared_relatives"
    )
    declarant_name = models.CharField("申报人姓名", max_length=50)
    declarant_post = models.CharField("申报人职务", max_length=100, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("亲属姓名", max_length=50)
    id_number = models.CharField("亲属身份证号码", max_length=18, db_index=True)
    # declared from an old 15-digit card: the check character was computed (as Person's)
    id_upgraded = models.BooleanField("身份证号码由15位升级", default=False, db_default=False)
    relation = models.CharField("关系", max_length=20, choices=Relation.choices)
    declared_on = models.DateField("申报日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "工作人员近亲属备案"
        constraints = [
            models.UniqueConstraint(fields=["declarant_name", "id_number"], name="staff_relative_once")
        ]

    def __str__(self):
        return f"{self.declarant_name}的{self.get_relation_display()} {self.name}"


class ProgrammeFact(models.Model):
    """A fact a programme's rule reads that the household's core record does not hold (DOMAIN
    §7): disaster impact, a temporary need, medical costs, the form of extreme-poverty support,
    orphan status, the 6-item self-care assessment, rigid spending, the dwelling, a university
    admission (job offers and their answers are the employment app's, read through
    ``registry.programme_facts``). Never changed in place: each change is a new row dated ``effective_on``; the
    rules read the latest row of each kind (per member for member facts) on or before their
    date (``registry.programme_read``), the page shows them all. ``data`` holds the kind's
    fields as cleaned by ``registry.programme`` (amounts as "0.00" text)."""

    class Kind(models.TextChoices):
        DISASTER = "disaster", "受灾情况"
        TEMPORARY_NEED = "temporary_need", "临时困难"
        MEDICAL_COSTS = "medical_costs", "医疗费用"
        SUPPORT_MODE = "support_mode", "特困供养方式"
        ORPHAN = "orphan", "孤儿身份"
        SELF_CARE = "self_care", "生活自理能力评估"
        RIGID_SPENDING = "rigid_spending", "刚性支出"
        DWELLING = "dwelling", "居住状况"
        UNIVERSITY_ADMISSION = "university_admission", "大学录取"

    # the kinds recorded for one member (the others for the household)
    MEMBER_KINDS = (
        Kind.MEDICAL_COSTS,
        Kind.SUPPORT_MODE,
        Kind.ORPHAN,
        Kind.SELF_CARE,
        Kind.UNIVERSITY_ADMISSION,
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="programme_facts")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="programme_facts"
    )
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    effective_on = models.DateField("日期")
    data = models.JSONField("内容", default=dict)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "救助事项信息"
        ordering = ["household", "kind", "effective_on", "id"]
        indexes = [models.Index(fields=["household", "kind", "effective_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.effective_on}"
