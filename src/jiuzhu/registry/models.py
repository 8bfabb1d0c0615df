"""Units, staff, households, persons, incomes and assets. Every change is kept as history
(django-simple-history: who, when, before/after)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from jiuzhu.common import masking as m


class Unit(models.Model):
    TOWN = "town"
    DEPARTMENT = "department"
    KINDS = [(TOWN, "镇街"), (DEPARTMENT, "部门")]

    code = models.CharField("单位代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=KINDS)
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
    ROLES = [
        (m.WINDOW_CLERK, "一门受理窗口"),
        (m.TOWN_CASEWORKER, "镇街社会救助经办"),
        (m.DEPARTMENT_OFFICER, "部门经办"),
        (m.VERIFICATION_OFFICER, "核对中心"),
        (m.DATA_PROVIDER, "数据提供单位"),
        (m.APPROVER, "审批"),
        (m.SUPERVISOR, "监督（纪检、审计、财政）"),
        (m.CONVENER, "联席会议召集人"),
        (m.ADMIN, "系统管理员"),
        (m.PARTNER, "社会力量合作方"),
    ]
    display_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField("角色", max_length=40, choices=ROLES, blank=True)
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
    URBAN = "urban"
    RURAL = "rural"
    AREAS = [(URBAN, "城市"), (RURAL, "农村")]

    code = models.CharField("家庭编号", max_length=40, unique=True)
    town = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="households", verbose_name="户籍镇街"
    )
    community = models.CharField("村（社区）", max_length=100)
    division_code = models.CharField("户籍行政区划代码", max_length=12)
    area = models.CharField("城乡", max_length=10, choices=AREAS)
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
    RELATIONS = [
        ("head", "户主"),
        ("spouse", "配偶"),
        ("child", "子女"),
        ("parent", "父母"),
        ("grandchild", "孙子女"),
        ("grandparent", "祖父母"),
        ("sibling", "兄弟姐妹"),
        ("other", "其他共同生活且有法定赡养扶养抚养义务的人员"),
    ]
    GENDERS = [("M", "男"), ("F", "女")]
    LABOUR = [("full", "有劳动能力"), ("partial", "部分丧失劳动能力"), ("none", "无劳动能力")]
    DISABILITY_KINDS = [
        ("", "无"),
        ("visual", "视力残疾"),
        ("hearing", "听力残疾"),
        ("speech", "言语残疾"),
        ("physical", "肢体残疾"),
        ("intellectual", "智力残疾"),
        ("mental", "精神残疾"),
        ("multiple", "多重残疾"),
    ]
    SELF_CARE = [("full", "生活能自理"), ("partial", "生活部分不能自理"), ("none", "生活完全不能自理")]
    SCHOOL = [
        ("", "不在学"),
        ("preschool", "学前教育"),
        ("primary", "小学"),
        ("junior", "初中"),
        ("senior", "普通高中"),
        ("vocational", "中等职业教育"),
        ("university", "高等教育（本科及以下）"),
        ("postgraduate", "研究生"),
    ]
    EMPLOYMENT = [
        ("employed", "就业"),
        ("flexible", "灵活就业"),
        ("unemployed", "失业"),
        ("retired", "退休"),
        ("student", "在学"),
        ("none", "无业（非劳动年龄或无劳动能力）"),
    ]

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    relation = models.CharField("与户主关系", max_length=20, choices=RELATIONS)
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    # Registered from an old 15-digit number (upgraded to 18, its check character computed):
    # a typo in it could not be caught, so matching never treats it as proof of a person.
    id_upgraded = models.BooleanField("身份证号码由15位升级", default=False, db_default=False)
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=GENDERS)
    birth_date = models.DateField("出生日期")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    labour_capacity = models.CharField("劳动能力", max_length=10, choices=LABOUR, default="full")
    disability_kind = models.CharField(
        "残疾类别", max_length=20, choices=DISABILITY_KINDS, blank=True, default=""
    )
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True)
    serious_illness = models.CharField("重特大疾病（病种）", max_length=100, blank=True, default="")
    self_care = models.CharField("生活自理能力", max_length=10, choices=SELF_CARE, default="full")
    school_stage = models.CharField("在学阶段", max_length=20, choices=SCHOOL, blank=True, default="")
    employment_status = models.CharField("就业状况", max_length=20, choices=EMPLOYMENT, default="none")
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


class IncomeItem(models.Model):
    """One income of one person, as a monthly average over ``period_start``–``period_end``.
    Whether a kind counts is the policy's business (policy.rules), not the registry's."""

    KINDS = [
        ("wages", "工资性收入"),
        ("business", "家庭经营净收入"),
        ("property", "财产净收入"),
        ("transfer", "转移性收入"),
        ("pension_basic", "城乡居民基本养老保险基础养老金"),
        ("special_care", "优待抚恤金"),
        ("family_planning", "计划生育奖励与扶助金"),
        ("award", "奖学金、见义勇为等奖励"),
        ("assistance", "社会救助金"),
    ]
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="incomes")
    kind = models.CharField("收入类别", max_length=20, choices=KINDS)
    monthly_amount = models.DecimalField("月均金额（元）", max_digits=12, decimal_places=2)
    source = models.CharField("来源", max_length=60, default="self_declared")
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
    KINDS = [
        ("financial", "金融资产（存款、理财、证券、保险现金价值）"),
        ("vehicle", "机动车辆"),
        ("house", "房产"),
        ("business", "工商登记（注册资本）"),
    ]
    VEHICLE_PURPOSES = [
        ("", "—"),
        ("disability", "残疾人功能性补偿代步"),
        ("livelihood", "生产经营（维持生计）"),
        ("other", "其他"),
    ]
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assets")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    kind = models.CharField("资产类别", max_length=20, choices=KINDS)
    value = models.DecimalField("价值/金额（元）", max_digits=14, decimal_places=2, default=0)
    floor_area = models.DecimalField("建筑面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True)
    vehicle_purpose = models.CharField(
        "车辆用途", max_length=20, choices=VEHICLE_PURPOSES, blank=True, default=""
    )
    source = models.CharField("来源", max_length=60, default="self_declared")
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

    RELATIONS = [
        ("spouse", "配偶"),
        ("parent", "父母"),
        ("child", "子女"),
        ("sibling", "兄弟姐妹"),
        ("grandparent", "祖父母、外祖父母"),
        ("grandchild", "孙子女、外孙子女"),
        ("in_law", "其他近姻亲"),
    ]
    staff = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="declared_relatives"
    )
    declarant_name = models.CharField("申报人姓名", max_length=50)
    declarant_post = models.CharField("申报人职务", max_length=100, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("亲属姓名", max_length=50)
    id_number = models.CharField("亲属身份证号码", max_length=18, db_index=True)
    relation = models.CharField("关系", max_length=20, choices=RELATIONS)
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

    KINDS = [
        ("disaster", "受灾情况"),
        ("temporary_need", "临时困难"),
        ("medical_costs", "医疗费用"),
        ("support_mode", "特困供养方式"),
        ("orphan", "孤儿身份"),
        ("self_care", "生活自理能力评估"),
        ("rigid_spending", "刚性支出"),
        ("dwelling", "居住状况"),
        ("university_admission", "大学录取"),
    ]
    MEMBER_KINDS = (
        "medical_costs",
        "support_mode",
        "orphan",
        "self_care",
        "university_admission",
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="programme_facts")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="programme_facts"
    )
    kind = models.CharField("类别", max_length=20, choices=KINDS)
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
