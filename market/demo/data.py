"""Demo data for 许昌科技大市场: organisations, postings and signed agreements.

Plain data only. Every company is fictional; every e-mail address lives under the reserved
``demo.xcsci.cn`` domain so that nothing the demo sends can reach a real mailbox.

Money is in 万元 as ``Decimal`` with exactly two decimals. The 44 agreements add up to the
4098.22 万元 that the 许昌市科学技术局 has published for the market; ``AGREEMENT_COUNT`` and
``AGREEMENT_TOTAL`` state those figures and tests/test_demo_data.py keeps the list honest.

Cross references: ``PROBLEMS[i]["company"]`` and ``AGREEMENTS[i]["company"]`` name entries of
``COMPANIES``; ``RESULTS[i]["institute"]`` and ``AGREEMENTS[i]["institute"]`` name entries of
``INSTITUTES``; ``problem_ref`` / ``result_ref`` are the ``ref`` of a problem / result.
Most problems have one or two results that clearly answer them; DEMO-P04, DEMO-P12, DEMO-P15
and DEMO-P22 only have a weak match, and DEMO-R09, DEMO-R27 and DEMO-R30 answer no problem.
"""

from datetime import date
from decimal import Decimal

DEMO_PASSWORD = "xuchang-demo-2026"

BUREAU = {"name": "许昌市科学技术局", "email": "bureau@kjj.demo.xcsci.cn"}

# ---------------------------------------------------------------------------------------------
# Institutes (科研机构): no county.
# ---------------------------------------------------------------------------------------------

IEE = "中国科学院电工研究所"
HFIPS = "中国科学院合肥物质科学研究院"
THU_EEA = "清华大学电机工程与应用电子技术系"
ZJU_HENAN = "浙江大学河南技术转移中心"
ZZU = "郑州大学"
CAS_HENAN = "中科院河南产业技术创新与育成中心"
HAUT = "河南工业大学"
HENAU = "河南农业大学"
IPE = "中国科学院过程工程研究所"

INSTITUTES = [
    {"name": IEE, "county": None, "contact_email": "liaison@iee.demo.xcsci.cn"},
    {"name": HFIPS, "county": None, "contact_email": "liaison@hfips.demo.xcsci.cn"},
    {"name": THU_EEA, "county": None, "contact_email": "liaison@eea-thu.demo.xcsci.cn"},
    {"name": ZJU_HENAN, "county": None, "contact_email": "liaison@zju-henan.demo.xcsci.cn"},
    {"name": ZZU, "county": None, "contact_email": "liaison@zzu.demo.xcsci.cn"},
    {"name": CAS_HENAN, "county": None, "contact_email": "liaison@cas-henan.demo.xcsci.cn"},
    {"name": HAUT, "county": None, "contact_email": "liaison@haut.demo.xcsci.cn"},
    {"name": HENAU, "county": None, "contact_email": "liaison@henau.demo.xcsci.cn"},
    {"name": IPE, "county": None, "contact_email": "liaison@ipe.demo.xcsci.cn"},
]

# ---------------------------------------------------------------------------------------------
# Companies (企业): fictional names, one or more in every county/district of Xuchang.
# ---------------------------------------------------------------------------------------------

DEHENG = "许昌德衡继保自动化有限公司"
ZHONGHONG = "许昌中泓开关设备有限公司"
HENGTUO = "许昌恒拓智能电网科技有限公司"
LANCHUAN = "许昌澜川储能技术有限公司"
JINGRUI = "长葛市晶锐超硬材料有限公司"
LIFENG = "许昌砺锋超硬刀具有限公司"
SIYUN = "许昌丝韵发制品有限公司"
MEIQI = "许昌美绮发制品有限公司"
HONGCHI = "襄城县宏驰汽车零部件有限公司"
TONGHENG = "许昌通衡传动部件有限公司"
XINXUN = "长葛市鑫循再生资源有限公司"
TONGYUAN = "长葛市铜源再生金属有限公司"
YAOYUAN = "禹州市药苑中药饮片有限公司"
JIXIA = "禹州市霁霞钧瓷有限公司"
HUIYUAN = "鄢陵县蕙园花木有限公司"
FENGSUI = "襄城县丰穗食品有限公司"

COMPANIES = [
    {
        "name": DEHENG,
        "county": "示范区",
        "industry": "电力装备",
        "contact_email": "tech@deheng.demo.xcsci.cn",
    },
    {
        "name": ZHONGHONG,
        "county": "魏都区",
        "industry": "电力装备",
        "contact_email": "tech@zhonghong.demo.xcsci.cn",
    },
    {
        "name": HENGTUO,
        "county": "东城区",
        "industry": "电力装备",
        "contact_email": "tech@hengtuo.demo.xcsci.cn",
    },
    {
        "name": LANCHUAN,
        "county": "东城区",
        "industry": "电力装备",
        "contact_email": "tech@lanchuan.demo.xcsci.cn",
    },
    {
        "name": JINGRUI,
        "county": "长葛市",
        "industry": "超硬材料",
        "contact_email": "tech@jingrui.demo.xcsci.cn",
    },
    {
        "name": LIFENG,
        "county": "建安区",
        "industry": "超硬材料",
        "contact_email": "tech@lifeng.demo.xcsci.cn",
    },
    {
        "name": SIYUN,
        "county": "魏都区",
        "industry": "发制品",
        "contact_email": "tech@siyun.demo.xcsci.cn",
    },
    {
        "name": MEIQI,
        "county": "建安区",
        "industry": "发制品",
        "contact_email": "tech@meiqi.demo.xcsci.cn",
    },
    {
        "name": HONGCHI,
        "county": "襄城县",
        "industry": "汽车零部件",
        "contact_email": "tech@hongchi.demo.xcsci.cn",
    },
    {
        "name": TONGHENG,
        "county": "示范区",
        "industry": "汽车零部件",
        "contact_email": "tech@tongheng.demo.xcsci.cn",
    },
    {
        "name": XINXUN,
        "county": "长葛市",
        "industry": "再生金属",
        "contact_email": "tech@xinxun.demo.xcsci.cn",
    },
    {
        "name": TONGYUAN,
        "county": "长葛市",
        "industry": "再生金属",
        "contact_email": "tech@tongyuan.demo.xcsci.cn",
    },
    {
        "name": YAOYUAN,
        "county": "禹州市",
        "industry": "中药材",
        "contact_email": "tech@yaoyuan.demo.xcsci.cn",
    },
    {
        "name": JIXIA,
        "county": "禹州市",
        "industry": "钧瓷",
        "contact_email": "tech@jixia.demo.xcsci.cn",
    },
    {
        "name": HUIYUAN,
        "county": "鄢陵县",
        "industry": "花木",
        "contact_email": "tech@huiyuan.demo.xcsci.cn",
    },
    {
        "name": FENGSUI,
        "county": "襄城县",
        "industry": "农副产品深加工",
        "contact_email": "tech@fengsui.demo.xcsci.cn",
    },
]

# ---------------------------------------------------------------------------------------------
# Technical problems (技术难题), in the words of the plant. budget in 万元, None = 面议.
# ---------------------------------------------------------------------------------------------

PROBLEMS = [
    {
        "ref": "DEMO-P01",
        "company": ZHONGHONG,
        "title": "开关柜触头发热看不见，只能停电排查",
        "description": (
            "我公司生产的KYN28-12型中置柜在用户现场多次发生动静触头、母排搭接处过热烧蚀，"
            "柜门封闭后红外测温仪看不到，只能停电打开检查。试过有线测温，绝缘处理麻烦；"
            "有源无线测温模块电池一两年就得换，用户意见很大。希望获得不用电池、免维护的"
            "触头在线测温方案，测温精度±1℃，单面柜增加成本不超过800元，数据能接入现有综自后台。"
        ),
        "field": "电力装备",
        "budget": Decimal("60.00"),
        "cooperation": "合作开发",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P02",
        "company": ZHONGHONG,
        "title": "环网柜要去掉SF6气体，干燥空气方案柜体太大",
        "description": (
            "电网公司和出口客户对SF6气体的管控越来越严，我公司12kV充气式环网柜年产约3000台，"
            "目前全部采用SF6绝缘。自行试制的干燥空气绝缘样机柜体宽度增加了40%，"
            "老站改造时放不进原位置。希望与科研单位合作开发环保气体绝缘环网柜，"
            "绝缘气体GWP值低于SF6的1%，柜体尺寸与现有产品基本一致，并能通过型式试验。"
        ),
        "field": "电力装备",
        "budget": Decimal("180.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P03",
        "company": DEHENG,
        "title": "分布式光伏接入后配网线路保护越级跳闸",
        "description": (
            "近两年县域10kV线路大量接入分布式光伏，短路时故障电流由双侧提供且受逆变器限流影响，"
            "原有三段式过流保护灵敏度不足。去年在我司装置投运的两个县发生3起越级跳闸和1次拒动，"
            "调整定值只能照顾一种出力工况。需要适应高比例分布式电源接入的配网保护原理和整定方法，"
            "在我司DH-800系列保护测控装置上实现，动作正确率99%以上。"
        ),
        "field": "电力装备",
        "budget": Decimal("120.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P04",
        "company": DEHENG,
        "title": "保护装置电磁兼容试验偶发死机，送检一次没过",
        "description": (
            "新研发的线路保护装置在第三方检测时，电快速瞬变脉冲群4级试验和浪涌试验中"
            "采样板偶发死机复位，通过率不稳定，已导致一次送检失败。我们加了磁环和TVS管，"
            "改了接地，问题时好时坏，找不到根本原因。希望有经验的团队帮助分析干扰耦合路径，"
            "给出PCB布局和机箱接地整改方案，确保一次通过4级试验。"
        ),
        "field": "电力装备",
        "budget": Decimal("30.00"),
        "cooperation": "技术咨询",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P05",
        "company": HENGTUO,
        "title": "小电流接地故障选线不准，巡线全靠人跑",
        "description": (
            "我公司为县供电公司提供配网自动化终端。农村10kV线路多为中性点经消弧线圈接地，"
            "单相接地时故障电流只有几安培，现有零序电流比幅、比相法选线正确率不足70%，"
            "常常要人工逐段拉路查找，一次故障排查耗时4～6小时，还影响供电可靠性考核。"
            "希望合作开发基于暂态录波的接地故障选线与区段定位算法，选线正确率≥95%，"
            "能在我司现有FTU（主频400MHz）上运行。"
        ),
        "field": "电力装备",
        "budget": Decimal("80.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P06",
        "company": LANCHUAN,
        "title": "储能电池簇并联电流不均，一年容量掉得太快",
        "description": (
            "公司承建的用户侧储能电站采用1500V直流系统，10个电池簇直接并联接入储能变流器。"
            "实测簇间电流偏差最高达18%，电流大的电池簇温升高、衰减快，运行一年部分电池簇"
            "容量衰减超过8%，整站可用容量明显下降。目前只靠BMS被动均衡，作用有限。"
            "希望获得簇级主动均衡或簇级变流方案，簇间电流偏差控制在3%以内，"
            "并提供电池健康状态（SOH）在线评估方法。"
        ),
        "field": "电力装备",
        "budget": Decimal("150.00"),
        "cooperation": "委托开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P07",
        "company": JINGRUI,
        "title": "大颗粒金刚石单晶包裹体多，高品级率上不去",
        "description": (
            "我司采用国产六面顶压机以温度梯度法生长宝石级金刚石单晶，单次生长8～10克拉时"
            "金属包裹体和裂纹较多，无色高品级比例不到30%，顶锤消耗也偏大。曾多次调整触媒配比"
            "和加热功率曲线，效果不稳定，换一批叶蜡石就要重新摸索。希望在合成腔体温场设计、"
            "触媒成分和工艺控制方面获得技术支持，使高品级率提高到50%以上。"
        ),
        "field": "超硬材料",
        "budget": Decimal("200.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P08",
        "company": JINGRUI,
        "title": "金刚石微粉粒度分布宽，靠自然沉降分级太慢",
        "description": (
            "我司金刚石微粉主要供光伏切割线和精密研磨用，目前用自然沉降加溢流分级，"
            "一个批次分级周期7～10天，产品粒度分布偏宽（D90/D10约2.1），客户要求控制在1.6以内；"
            "颗粒中片状、针状比例高，影响线锯切割质量。希望引进颗粒整形与精密分级技术，"
            "分级周期缩短一半以上，等积形颗粒比例提高到85%。"
        ),
        "field": "超硬材料",
        "budget": Decimal("45.00"),
        "cooperation": "技术转让",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P09",
        "company": LIFENG,
        "title": "PCD刀具钎焊后刃口崩缺，偶有刀片脱焊",
        "description": (
            "公司为汽车零部件厂加工铝合金缸体、变速箱壳体供应PCD成型刀，采用高频感应钎焊"
            "把PCD复合片焊在硬质合金刀体上。近期客户反映刀具在高速断续切削时刃口崩缺，"
            "个别刀片脱焊，抽检焊缝剪切强度只有150MPa左右。已试过更换银基焊料、调整加热时间，"
            "改善不明显。希望改进钎料和钎焊工艺，焊缝剪切强度达到250MPa以上，刀具寿命提高30%。"
        ),
        "field": "超硬材料",
        "budget": Decimal("40.00"),
        "cooperation": "委托开发",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P10",
        "company": SIYUN,
        "title": "发制品染色废水色度高，处理费用压不下来",
        "description": (
            "公司年处理人发原料约600吨，酸洗、漂白、染色工序每天产生废水约800吨，"
            "COD在1500～3000mg/L，色度超过500倍。现有混凝沉淀加生化工艺药剂费和污泥处置费高，"
            "出水色度仍不稳定，环保检查压力大。希望获得低成本的深度脱色和中水回用技术，"
            "出水稳定达到园区污水厂接管标准，中水回用率不低于40%，吨水运行成本不高于8元。"
        ),
        "field": "节能环保",
        "budget": Decimal("100.00"),
        "cooperation": "技术转让",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P11",
        "company": MEIQI,
        "title": "人发漂成浅金色后发质受损，洗几次就打结",
        "description": (
            "出口欧美的真人发接发产品需要把黑发漂成613浅金色，目前采用过氧化氢加过硫酸盐"
            "多次漂色，毛鳞片损伤严重，客户洗涤十来次后就干枯、打结，投诉退货率约5%。"
            "我们试过漂后加护理剂，效果维持时间短。希望找到对毛鳞片损伤小的漂色和修复工艺，"
            "产品耐洗次数提高到30次以上，单位成本增加不超过10%。"
        ),
        "field": "发制品",
        "budget": Decimal("50.00"),
        "cooperation": "合作开发",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P12",
        "company": MEIQI,
        "title": "化纤发丝阻燃达不到出口要求，溴系阻燃剂又受限",
        "description": (
            "我公司出口欧美的化纤假发使用改性聚氯乙烯丝和阻燃腈纶丝，部分客户要求通过更严格的"
            "阻燃测试，同时不得含溴系阻燃剂以符合REACH法规。改用无卤配方试纺后，"
            "发丝光泽和手感明显变差，高温定型时还出现发黄。想了解可用于假发纤维的"
            "无卤阻燃改性思路，兼顾阻燃、光泽和卷曲定型。"
        ),
        "field": "发制品",
        "budget": None,
        "cooperation": "技术咨询",
        "valid_days": 90,
    },
    {
        "ref": "DEMO-P13",
        "company": HONGCHI,
        "title": "制动盘铸件缩松气孔多，加工完才发现报废",
        "description": (
            "公司为多家主机厂配套生产HT250灰铸铁制动盘，年产约120万件。机加工后常发现"
            "摩擦面缩松和皮下气孔，废品率在4%～6%，旺季赶产时更高，铸件加工完才发现报废，"
            "损失很大。调整过浇注温度和冒口位置，问题反复出现。希望借助铸造数值模拟"
            "优化浇注系统，并完善型砂质量控制，使废品率降到1.5%以下。"
        ),
        "field": "汽车零部件",
        "budget": Decimal("60.00"),
        "cooperation": "委托开发",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P14",
        "company": TONGHENG,
        "title": "传动轴花键感应淬火后弯曲变形，校直又出裂纹",
        "description": (
            "我公司生产商用车传动轴，花键轴采用40Cr中频感应淬火，淬火后直线度超差"
            "（大于0.15mm）的比例约8%，只能人工压力校直，校直后磁粉探伤又发现微裂纹。"
            "现用感应器是多年前仿制的，淬火参数靠试凑。希望优化感应器结构和淬火工艺参数，"
            "或提供淬火变形预测方法，使直线度稳定在0.08mm以内，尽量取消校直工序。"
        ),
        "field": "汽车零部件",
        "budget": Decimal("35.00"),
        "cooperation": "委托开发",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P15",
        "company": TONGHENG,
        "title": "电驱桥齿轮啸叫，整车NVH测试过不了",
        "description": (
            "我公司为新能源轻卡配套开发一体化电驱桥，样车在40～60km/h加速工况下出现明显"
            "齿轮啸叫，车内噪声比竞品高约4dB(A)，主机厂要求整改后才能定点。我们做了齿形修形、"
            "提高了齿轮精度等级，改善有限，怀疑与电机电磁激励和壳体模态耦合有关。"
            "需要有测试分析能力的团队帮助查明噪声来源并提出优化方案。"
        ),
        "field": "汽车零部件",
        "budget": Decimal("80.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P16",
        "company": XINXUN,
        "title": "再生铝铁含量偏高，只能降级当压铸料卖",
        "description": (
            "我公司以回收汽车拆解铝和废易拉罐为主要原料生产再生铝锭，年产约8万吨，"
            "铁含量普遍在0.6%～0.9%，只能降级做ADC12压铸料，售价比同类原生铝合金低约2000元/吨。"
            "曾试过加锰除铁，但渣量大、铝损失高。希望获得熔体除铁或保级再生技术，"
            "使铁含量降到0.3%以下，金属回收率不低于95%，能在现有熔炼炉上改造实施。"
        ),
        "field": "再生金属",
        "budget": Decimal("150.00"),
        "cooperation": "技术转让",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P17",
        "company": XINXUN,
        "title": "二次铝灰按危废处置，每吨两千多元吃掉利润",
        "description": (
            "熔炼过程每年产生二次铝灰约3000吨，按危险废物委托处置，费用每吨两千多元，"
            "还要排队等处置单位接收，厂内暂存库快满了。铝灰中含金属铝10%～20%和氮化铝，"
            "遇水放出氨气，存放有安全隐患。希望获得铝灰脱氮、回收金属铝并将残渣资源化利用的"
            "成套技术，实现铝灰无害化，处理成本控制在每吨800元以内。"
        ),
        "field": "节能环保",
        "budget": Decimal("120.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P18",
        "company": TONGYUAN,
        "title": "废杂铜精炼天然气单耗高，烟气超低排放压力大",
        "description": (
            "公司以废杂铜为原料，采用固定式阳极炉火法精炼生产阳极铜，年产约4万吨。"
            "目前吨铜天然气消耗约75立方米，比行业先进水平高20%以上；原料成分杂，"
            "烟气中铅、锌粉尘和二噁英控制难度大，超低排放改造迫在眉睫。希望获得富氧燃烧"
            "和余热利用的节能改造方案，同时提出烟气协同治理工艺，吨铜能耗下降15%以上。"
        ),
        "field": "再生金属",
        "budget": Decimal("80.00"),
        "cooperation": "委托开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P19",
        "company": YAOYUAN,
        "title": "禹白芷烘干后颜色发暗，含量批次不稳",
        "description": (
            "公司主营禹白芷、天南星、金银花等饮片加工。传统晾晒和硫磺熏蒸已被严格限制，"
            "改用热风烘干后白芷片颜色发暗、香气变弱，部分批次欧前胡素含量在药典限度边缘，"
            "收购季烘房又不够用。希望获得适合禹白芷等根茎类药材的产地趁鲜切制和低温干燥工艺，"
            "干燥周期缩短一半，指标成分合格率达到98%以上。"
        ),
        "field": "中药材",
        "budget": Decimal("40.00"),
        "cooperation": "合作开发",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P20",
        "company": YAOYUAN,
        "title": "收药掺假、农残靠送检，结果出来货已入库",
        "description": (
            "每年收购季日均进货几十吨，药材真伪、掺杂增重和农药残留只能抽样送第三方检测，"
            "结果要3～5天才出来，货早已入库甚至投料。去年因一批金银花农残超标被下游药厂退货。"
            "希望有现场快速检测手段，10分钟内完成主要品种真伪鉴别和常见有机磷农药残留初筛，"
            "设备投入不超过30万元，普通质检员能操作。"
        ),
        "field": "中药材",
        "budget": Decimal("30.00"),
        "cooperation": "技术转让",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P21",
        "company": JIXIA,
        "title": "钧瓷窑变成品率低，火候全凭老师傅经验",
        "description": (
            "我公司采用燃气梭式窑烧制钧瓷，窑变釉色对还原气氛和降温曲线非常敏感，"
            "目前一窑成品率只有30%左右，而且全凭老师傅看火照、听火声控制，年轻人很难学会。"
            "窑内上下温差较大，同一窑釉色差别明显。希望开发窑内温度和气氛（氧含量）"
            "在线监测及自动控制系统，把成品率提高到45%以上，并形成可复制的烧成工艺曲线。"
        ),
        "field": "钧瓷",
        "budget": Decimal("50.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P22",
        "company": JIXIA,
        "title": "钧釉本地矿料成分波动，釉色批次差异大",
        "description": (
            "钧瓷釉料主要使用神垕本地长石、石英和含铜、铁的矿料，不同矿点、不同批次原料"
            "化学成分波动较大，同一配方烧出的釉色差异明显，有时出现缩釉、釉面针孔。"
            "目前原料进厂只凭肉眼挑选，没有化验手段。希望获得原料成分快速分析和釉料配方"
            "调整方法方面的咨询，建立适合小型钧瓷企业的原料标准化流程。"
        ),
        "field": "钧瓷",
        "budget": None,
        "cooperation": "技术咨询",
        "valid_days": 90,
    },
    {
        "ref": "DEMO-P23",
        "company": HUIYUAN,
        "title": "蜡梅切枝运到南方落蕾严重，损耗四分之一",
        "description": (
            "公司每年冬季销售素心蜡梅切枝约20万枝，主要发往广州、上海、杭州等地。"
            "冷链运输3～4天后落蕾、落花严重，损耗率达25%，客户插瓶后几天就开败。"
            "目前只做清水浸泡和简单包装，试过市售通用保鲜剂，效果不明显。希望研制适合蜡梅的"
            "保鲜剂配方和采后处理工艺，瓶插期延长到12天以上，运输损耗降到10%以内。"
        ),
        "field": "花木",
        "budget": Decimal("20.00"),
        "cooperation": "技术转让",
        "valid_days": 180,
    },
    {
        "ref": "DEMO-P24",
        "company": HUIYUAN,
        "title": "苗圃浇水施肥靠人工，用水多、雇工难",
        "description": (
            "公司在鄢陵有1800亩苗圃，主要培育大规格乔木和造型花木，目前仍是大水漫灌加人工撒肥，"
            "每亩年用水约400立方米，肥料利用率低，旱季抗旱要雇几十个临时工，用工越来越难。"
            "希望建设基于土壤墒情监测的智能水肥一体化系统，能按树种、地块分区管理，"
            "节水30%以上，节肥20%以上，手机上能查看和控制。"
        ),
        "field": "花木",
        "budget": Decimal("60.00"),
        "cooperation": "委托开发",
        "valid_days": 365,
    },
    {
        "ref": "DEMO-P25",
        "company": FENGSUI,
        "title": "红薯粉条要去明矾，薯渣废水也要处理",
        "description": (
            "公司年加工鲜红薯约5万吨，生产红薯淀粉和粉条。传统粉条添加明矾改善筋道口感，"
            "存在铝残留超标风险，已有超市要求提供铝残留检测报告；淀粉提取产生大量薯渣和"
            "高浓度废水（COD约1万mg/L），处理负担重。希望获得无矾粉条配方与工艺，"
            "铝残留不得检出、断条率不高于3%，同时提供薯渣和废水中蛋白回收利用方案。"
        ),
        "field": "农副产品深加工",
        "budget": Decimal("70.00"),
        "cooperation": "合作开发",
        "valid_days": 365,
    },
]

# ---------------------------------------------------------------------------------------------
# Talent needs (人才需求).
# ---------------------------------------------------------------------------------------------

TALENT_NEEDS = [
    {
        "ref": "DEMO-T01",
        "company": DEHENG,
        "title": "招聘继电保护算法工程师",
        "position": "继电保护算法工程师",
        "discipline": "电气工程",
        "degree": "硕士",
        "headcount": 3,
        "description": (
            "负责配电网及新能源场站保护原理研究和装置保护算法实现，参与型式试验和现场投运。"
            "要求熟悉电力系统故障分析，掌握DSP或ARM嵌入式开发，有继电保护装置开发经验者优先。"
            "工作地点许昌市城乡一体化示范区，提供人才公寓，可申报许昌市英才计划。"
        ),
        "valid_days": 180,
    },
    {
        "ref": "DEMO-T02",
        "company": JINGRUI,
        "title": "招聘超硬材料合成工艺工程师",
        "position": "金刚石合成工艺工程师",
        "discipline": "材料科学与工程",
        "degree": "硕士",
        "headcount": 2,
        "description": (
            "负责六面顶压机金刚石单晶及微粉合成工艺开发，分析合成块组装、温压曲线与晶体质量的关系，"
            "指导车间工艺改进。要求材料、物理或化学相关专业，熟悉高温高压实验者优先，"
            "欢迎郑州大学、河南工业大学等高校应届毕业生。"
        ),
        "valid_days": 180,
    },
    {
        "ref": "DEMO-T03",
        "company": LANCHUAN,
        "title": "招聘储能变流器硬件工程师",
        "position": "电力电子硬件工程师",
        "discipline": "电力电子与电力传动",
        "degree": "本科",
        "headcount": 4,
        "description": (
            "负责储能变流器和簇级DC/DC变换器的主电路、驱动及采样电路设计，完成样机调试和"
            "电磁兼容整改。要求熟悉IGBT/SiC器件应用和磁性元件设计，有光伏逆变器或储能产品"
            "开发经验者优先，三年以上经验可放宽学历要求。"
        ),
        "valid_days": 365,
    },
    {
        "ref": "DEMO-T04",
        "company": YAOYUAN,
        "title": "招聘中药炮制与质量研究人员",
        "position": "中药饮片质量研究员",
        "discipline": "中药学",
        "degree": "硕士",
        "headcount": 2,
        "description": (
            "负责禹白芷、天南星等道地药材产地加工和炮制工艺研究，建立饮片质量标准和"
            "检验方法，配合药品监管部门检查。要求熟悉《中国药典》和液相色谱等分析方法，"
            "有饮片企业质量管理经验者优先，工作地点禹州市。"
        ),
        "valid_days": 180,
    },
    {
        "ref": "DEMO-T05",
        "company": SIYUN,
        "title": "招聘环保工艺工程师（废水处理方向）",
        "position": "环保工艺工程师",
        "discipline": "环境工程",
        "degree": "本科",
        "headcount": 1,
        "description": (
            "负责发制品酸洗、漂染废水处理站的运行管理和工艺优化，对接中水回用改造项目，"
            "编制环保台账并应对环保检查。要求熟悉生化和高级氧化工艺，持有污水处理相关证书者"
            "优先，工作地点许昌市魏都区。"
        ),
        "valid_days": 90,
    },
]

# ---------------------------------------------------------------------------------------------
# Research results (科技成果), in the words of the institute.
# ---------------------------------------------------------------------------------------------

RESULTS = [
    {
        "ref": "DEMO-R01",
        "institute": IEE,
        "title": "开关柜无源无线测温技术",
        "summary": (
            "研制基于声表面波（SAW）谐振原理的无源无线温度传感器，传感器无需电池和取能线圈，"
            "可直接安装于开关柜动静触头、母排搭接处及电缆接头。测温范围-40～+150℃，精度±1℃，"
            "单台阅读器可巡检96个测点。已在多座110kV变电站10kV开关室连续运行5年以上，"
            "免维护，可通过IEC 61850规约接入综合自动化系统。"
        ),
        "keywords": ["无源无线测温", "声表面波", "开关柜", "触头温度", "在线监测"],
        "field": "电力装备",
        "maturity": "产业化",
        "cooperation": ["技术许可", "合作开发"],
    },
    {
        "ref": "DEMO-R02",
        "institute": THU_EEA,
        "title": "环保绝缘气体中压开关设备技术",
        "summary": (
            "针对SF6温室效应问题，系统研究C4F7N/CO2混合气体的绝缘、开断与分解特性，"
            "掌握气体配比、低温液化及与密封材料相容性的控制方法。混合气体GWP值较SF6降低99%以上，"
            "在0.15MPa充气压力下12kV环网柜绝缘水平与SF6产品相当，柜体尺寸基本不变。"
            "已完成样机型式试验，具备与开关企业联合定型的条件。"
        ),
        "keywords": ["环保绝缘气体", "SF6替代", "C4F7N", "环网柜", "气体绝缘"],
        "field": "电力装备",
        "maturity": "中试",
        "cooperation": ["合作开发", "技术许可"],
    },
    {
        "ref": "DEMO-R03",
        "institute": THU_EEA,
        "title": "高比例分布式光伏接入配电网自适应保护技术",
        "summary": (
            "建立考虑逆变型电源低电压穿越和限流控制的配电网故障等值模型，提出基于运行方式实时识别的"
            "过流保护自适应整定方法和基于故障分量方向判别的配电网纵联保护方案。仿真与现场试点表明，"
            "光伏渗透率达到80%时保护动作正确率不低于99.5%，可有效避免越级跳闸。"
            "算法可移植至主流保护测控装置。"
        ),
        "keywords": ["分布式光伏", "配电网保护", "自适应整定", "越级跳闸", "逆变型电源"],
        "field": "电力装备",
        "maturity": "中试",
        "cooperation": ["合作开发", "技术咨询"],
    },
    {
        "ref": "DEMO-R04",
        "institute": THU_EEA,
        "title": "配电网单相接地故障暂态选线与区段定位技术",
        "summary": (
            "利用接地故障暂态零序电流与零序电压的特征，提出暂态能量方向与波形相关性综合判据，"
            "实现中性点经消弧线圈接地系统的单相接地故障选线和区段定位。对数百次现场真实故障的统计"
            "表明，选线正确率达97%，区段定位正确率达93%。算法计算量小，可在主频300MHz以上的"
            "配电终端（FTU/DTU）中运行，已在多个省级电网推广应用。"
        ),
        "keywords": ["小电流接地", "单相接地故障", "暂态选线", "故障定位", "配电终端"],
        "field": "电力装备",
        "maturity": "产业化",
        "cooperation": ["技术许可", "技术转让"],
    },
    {
        "ref": "DEMO-R05",
        "institute": THU_EEA,
        "title": "换流阀宽频电磁骚扰测量与建模方法",
        "summary": (
            "针对特高压直流换流阀开关暂态产生的宽频电磁骚扰，建立10kHz～1GHz范围的骚扰源等效模型"
            "和空间辐射传播模型，研制高电位光纤隔离测量系统，获得阀厅内部场强分布规律，"
            "为阀控设备及二次系统的电磁兼容设计提供依据。相关方法可用于高压电力电子装置的"
            "电磁干扰评估。"
        ),
        "keywords": ["电磁兼容", "宽频电磁骚扰", "换流阀", "电磁干扰建模"],
        "field": "电力装备",
        "maturity": "实验室",
        "cooperation": ["技术咨询"],
    },
    {
        "ref": "DEMO-R06",
        "institute": THU_EEA,
        "title": "永磁同步电机电磁振动与噪声抑制技术",
        "summary": (
            "分析永磁同步电机径向电磁力波的时空分布，建立电磁力与定子结构模态耦合的振动模型，"
            "提出转子分段斜极与谐波电流注入相结合的振动抑制方法。在一台60kW车用驱动电机台架上，"
            "主要阶次电磁噪声降低6～8dB(A)。成果针对电机本体电磁噪声，"
            "齿轮传动系统的啸叫需另行分析。"
        ),
        "keywords": ["永磁同步电机", "电磁振动", "电磁噪声", "谐波电流注入", "NVH"],
        "field": "电力装备",
        "maturity": "小试",
        "cooperation": ["合作开发", "技术咨询"],
    },
    {
        "ref": "DEMO-R07",
        "institute": IEE,
        "title": "储能电池簇级主动均衡与健康状态在线评估技术",
        "summary": (
            "提出基于簇级DC/DC变换器的储能电池簇间主动均衡拓扑，各电池簇可独立控制充放电电流，"
            "消除并联环流；结合增量容量分析和数据驱动模型实现电池健康状态（SOH）在线估计。"
            "在1MW/2MWh示范系统中，簇间电流偏差由15%降至2%以内，SOH估计误差小于3%，"
            "系统可用容量提升约6%。"
        ),
        "keywords": ["储能", "电池簇", "主动均衡", "簇级变流", "SOH估计"],
        "field": "电力装备",
        "maturity": "中试",
        "cooperation": ["合作开发", "委托开发"],
    },
    {
        "ref": "DEMO-R08",
        "institute": IEE,
        "title": "中频感应加热电源及轴类零件淬火变形控制技术",
        "summary": (
            "研制基于IGBT的数字化中频感应加热电源（功率100～800kW，频率1～20kHz），具备功率闭环"
            "和加热曲线精确控制功能；采用电磁—热—相变耦合仿真优化感应器结构与扫描淬火参数，"
            "使轴类零件淬硬层均匀分布。在花键轴、半轴淬火应用中，淬火后直线度误差控制在"
            "0.06mm以内，省去校直工序。"
        ),
        "keywords": ["感应淬火", "中频感应加热", "淬火变形", "感应器设计", "花键轴"],
        "field": "装备制造",
        "maturity": "产业化",
        "cooperation": ["技术转让", "委托开发"],
    },
    {
        "ref": "DEMO-R09",
        "institute": IEE,
        "title": "10kV电阻型高温超导故障限流器",
        "summary": (
            "采用第二代高温超导带材研制10kV电阻型超导故障限流器，正常运行时阻抗近乎为零，"
            "短路时在2ms内失超，将预期短路电流峰值限制到40%以下，故障切除后数秒内自动恢复。"
            "样机已完成挂网试验，可用于负荷密集区配电网短路电流超标治理。"
        ),
        "keywords": ["高温超导", "故障限流器", "短路电流", "配电网"],
        "field": "电力装备",
        "maturity": "中试",
        "cooperation": ["合作开发"],
    },
    {
        "ref": "DEMO-R10",
        "institute": ZZU,
        "title": "宝石级金刚石大单晶温度梯度法高效生长技术",
        "summary": (
            "通过合成腔体多物理场仿真重新设计加热与传压结构，使生长区温度梯度波动控制在±2℃以内；"
            "优化Fe-Ni-Co基触媒成分并加入除氮剂，研究晶种取向对生长速度的影响。在国产六面顶压机上"
            "实现单次生长10克拉级Ⅱa型无色金刚石单晶，高品级率由约30%提高到55%以上，"
            "金属包裹体显著减少。"
        ),
        "keywords": ["金刚石单晶", "温度梯度法", "六面顶压机", "触媒", "包裹体"],
        "field": "超硬材料",
        "maturity": "中试",
        "cooperation": ["合作开发", "技术许可"],
    },
    {
        "ref": "DEMO-R11",
        "institute": ZZU,
        "title": "PCD复合片活性钎焊技术",
        "summary": (
            "开发含钛的Ag-Cu-Ti系及低银Cu-Sn-Ti系活性钎料，配合真空或保护气氛感应钎焊工艺，"
            "在聚晶金刚石（PCD）复合片与硬质合金刀体间形成冶金结合，焊缝剪切强度达到280～320MPa，"
            "钎焊温度控制在850℃以下，避免金刚石石墨化。小试刀具在铝合金高速铣削中的寿命"
            "比常规银焊提高35%以上。"
        ),
        "keywords": ["PCD", "聚晶金刚石复合片", "活性钎焊", "钎料", "焊缝强度"],
        "field": "超硬材料",
        "maturity": "小试",
        "cooperation": ["委托开发", "技术转让"],
    },
    {
        "ref": "DEMO-R12",
        "institute": ZZU,
        "title": "无卤阻燃聚烯烃复合材料",
        "summary": (
            "采用微胶囊化聚磷酸铵与三嗪成炭剂复配的膨胀型阻燃体系，以纳米层状双氢氧化物协效，"
            "制备无卤阻燃聚乙烯、聚丙烯复合材料。阻燃剂添加量30%时极限氧指数达32%，"
            "垂直燃烧达到UL94 V-0级，烟密度较含卤体系降低约60%。主要面向电线电缆护套料"
            "和家电外壳，用于纤维纺丝的可纺性尚待验证。"
        ),
        "keywords": ["无卤阻燃", "聚烯烃", "膨胀型阻燃剂", "电缆料"],
        "field": "新材料",
        "maturity": "中试",
        "cooperation": ["技术转让", "技术许可"],
    },
    {
        "ref": "DEMO-R13",
        "institute": ZZU,
        "title": "工业固废制备陶瓷透水砖技术",
        "summary": (
            "以铝灰渣、煤矸石、废陶瓷等工业固废为主要原料（掺量70%以上），通过颗粒级配与"
            "低温烧结助剂设计，在1150℃左右烧成陶瓷透水砖，抗压强度≥40MPa，"
            "透水系数≥2.0×10⁻²cm/s。建立了原料成分波动条件下的配方快速调整方法，"
            "已在省内两家建材企业中试生产。"
        ),
        "keywords": ["工业固废", "陶瓷透水砖", "烧结", "配方设计"],
        "field": "新材料",
        "maturity": "中试",
        "cooperation": ["技术转让"],
    },
    {
        "ref": "DEMO-R14",
        "institute": HAUT,
        "title": "金刚石微粉颗粒整形与精密分级技术",
        "summary": (
            "采用球磨整形与气流整形相结合的工艺降低片状、针状颗粒比例，配合离心沉降与溢流复合的"
            "水力精密分级装置和在线激光粒度监测，实现1～40μm金刚石微粉的快速分级。"
            "分级周期由7天缩短至2天，产品D90/D10可控制在1.5以内，等积形颗粒比例达到88%。"
            "已在省内多家微粉企业应用。"
        ),
        "keywords": ["金刚石微粉", "颗粒整形", "精密分级", "粒度分布"],
        "field": "超硬材料",
        "maturity": "产业化",
        "cooperation": ["技术转让"],
    },
    {
        "ref": "DEMO-R15",
        "institute": HAUT,
        "title": "无明矾薯类粉条加工关键技术",
        "summary": (
            "通过淀粉回生调控和魔芋胶、海藻酸钠等食品胶复配替代明矾，结合低温老化和漏粉工艺参数"
            "优化，生产的红薯粉条铝残留未检出，断条率低于2%，煮制20分钟不糊汤，"
            "拉伸强度与传统加矾粉条相当。已在河南、山东多家粉条企业推广，生产线改造投入小。"
        ),
        "keywords": ["无矾粉条", "红薯淀粉", "明矾替代", "铝残留", "淀粉回生"],
        "field": "农副产品深加工",
        "maturity": "产业化",
        "cooperation": ["技术转让", "技术咨询"],
    },
    {
        "ref": "DEMO-R16",
        "institute": HAUT,
        "title": "薯类淀粉加工废水蛋白回收与薯渣综合利用技术",
        "summary": (
            "针对甘薯淀粉生产废水有机物浓度高的问题，采用热絮凝—膜分离组合工艺回收可溶性蛋白，"
            "蛋白回收率65%以上，废水COD降低约50%，减轻后续处理负荷；薯渣经酶解改性制备"
            "高活性膳食纤维，持水力达到8g/g以上。按测算，每吨鲜薯可增加收益约40元。"
        ),
        "keywords": ["薯类淀粉", "淀粉废水", "蛋白回收", "薯渣", "膳食纤维"],
        "field": "农副产品深加工",
        "maturity": "中试",
        "cooperation": ["合作开发"],
    },
    {
        "ref": "DEMO-R17",
        "institute": HFIPS,
        "title": "中药材及农产品拉曼光谱快速检测技术",
        "summary": (
            "基于表面增强拉曼光谱（SERS）研制便携式快速检测仪和配套纳米增强基底，"
            "建立常见中药材真伪鉴别光谱数据库和有机磷、氨基甲酸酯类农药残留检测方法。"
            "单样检测时间小于10分钟，典型农药检出限达0.01mg/kg，真伪鉴别准确率95%以上。"
            "仪器重量不足3kg，适合收购现场和基层监管使用。"
        ),
        "keywords": ["拉曼光谱", "快速检测", "农药残留", "中药材", "真伪鉴别"],
        "field": "中药材",
        "maturity": "产业化",
        "cooperation": ["技术转让", "技术许可"],
    },
    {
        "ref": "DEMO-R18",
        "institute": HFIPS,
        "title": "基于土壤墒情感知的智能水肥一体化系统",
        "summary": (
            "研制低功耗土壤水分、电导率传感器及LoRa无线组网设备，结合作物需水需肥模型实现"
            "分区按需灌溉施肥，可通过手机远程控制。在安徽、河南的园林苗圃和果园示范应用中，"
            "节水35%～45%，节肥20%～30%，用工减少60%以上。系统支持按树种、地块分区设定灌溉策略。"
        ),
        "keywords": ["土壤墒情", "水肥一体化", "智能灌溉", "苗圃", "传感器"],
        "field": "花木",
        "maturity": "产业化",
        "cooperation": ["技术转让", "委托开发"],
    },
    {
        "ref": "DEMO-R19",
        "institute": HFIPS,
        "title": "窑炉气氛激光在线检测技术",
        "summary": (
            "采用可调谐半导体激光吸收光谱（TDLAS）技术，实现高温窑炉内氧含量和一氧化碳浓度的"
            "原位非接触测量，响应时间小于1秒，测量误差不超过满量程的1%，可耐受1300℃炉膛环境。"
            "可为陶瓷、玻璃等窑炉还原气氛的精确控制提供实时数据，已在工业窑炉开展中试验证。"
        ),
        "keywords": ["TDLAS", "氧含量", "窑炉气氛", "在线检测", "还原气氛"],
        "field": "电子信息",
        "maturity": "中试",
        "cooperation": ["合作开发", "技术许可"],
    },
    {
        "ref": "DEMO-R20",
        "institute": CAS_HENAN,
        "title": "再生铝熔体复合除铁与保级利用技术",
        "summary": (
            "联合中国科学院相关研究所，采用锰、硼复合添加诱导富铁相析出，结合熔体静置沉降和"
            "泡沫陶瓷过滤，将再生铝熔体铁含量由0.8%降至0.25%以下，金属回收率96%。"
            "配合成分在线光谱分析和合金化调整，可生产A356等铸造铝合金，实现废铝保级利用，"
            "吨铝增加效益约1500元。"
        ),
        "keywords": ["再生铝", "除铁", "熔体净化", "保级利用", "富铁相"],
        "field": "再生金属",
        "maturity": "中试",
        "cooperation": ["技术转让", "合作开发"],
    },
    {
        "ref": "DEMO-R21",
        "institute": CAS_HENAN,
        "title": "陶瓷梭式窑智能烧成控制系统",
        "summary": (
            "针对钧瓷等艺术陶瓷烧成依赖经验的问题，开发燃气梭式窑多点温度与气氛联合控制系统，"
            "通过调节燃气与空气配比实现氧化、还原、冷却各阶段的分段精确控制，温度控制精度±3℃，"
            "并建立烧成工艺曲线数据库。小试窑炉试验中窑内温差由40℃缩小到12℃，"
            "窑变釉色一致性明显改善。"
        ),
        "keywords": ["梭式窑", "烧成曲线", "智能控制", "还原气氛", "钧瓷"],
        "field": "钧瓷",
        "maturity": "小试",
        "cooperation": ["合作开发"],
    },
    {
        "ref": "DEMO-R22",
        "institute": IPE,
        "title": "二次铝灰脱氮与全组分资源化技术",
        "summary": (
            "采用机械破碎—筛分回收金属铝，再经湿法水解脱氮并回收氨制备硫酸铵，脱氮后铝灰中"
            "氮化铝含量低于0.5%，满足无害化要求；残渣经配料煅烧制备铝酸钙净水剂原料或耐火材料。"
            "金属铝回收率90%以上，综合处理成本约600元/吨，远低于危废委托处置费用。"
            "已建成5000吨/年中试线。"
        ),
        "keywords": ["铝灰", "危废处置", "脱氮", "金属铝回收", "资源化利用"],
        "field": "节能环保",
        "maturity": "中试",
        "cooperation": ["合作开发", "技术转让"],
    },
    {
        "ref": "DEMO-R23",
        "institute": IPE,
        "title": "高色度染色废水臭氧催化氧化脱色与中水回用技术",
        "summary": (
            "研制负载型多金属氧化物臭氧催化剂，构建“混凝—水解酸化—好氧—臭氧催化氧化—超滤/反渗透”"
            "组合工艺，适用于印染、毛发染色等高色度难降解废水。出水色度小于20倍，"
            "COD低于80mg/L，中水回用率50%以上，臭氧利用率较单独臭氧氧化提高约40%，"
            "吨水运行成本下降30%。"
        ),
        "keywords": ["染色废水", "臭氧催化氧化", "脱色", "中水回用", "COD"],
        "field": "节能环保",
        "maturity": "产业化",
        "cooperation": ["技术转让", "委托开发"],
    },
    {
        "ref": "DEMO-R24",
        "institute": IPE,
        "title": "废杂铜富氧熔炼与烟气协同治理技术",
        "summary": (
            "针对再生铜阳极炉能耗高、烟气污染物复杂的问题，采用富氧燃烧和蓄热式余热回收降低"
            "燃料消耗，配套急冷—活性炭喷射—布袋除尘—湿法脱硫的烟气协同治理工艺。示范线"
            "吨铜天然气单耗下降18%，颗粒物排放低于10mg/m³，二噁英低于0.1ngTEQ/m³，"
            "铅、锌烟尘可回收利用。"
        ),
        "keywords": ["废杂铜", "富氧燃烧", "余热回收", "二噁英", "烟气治理"],
        "field": "再生金属",
        "maturity": "中试",
        "cooperation": ["委托开发", "技术咨询"],
    },
    {
        "ref": "DEMO-R25",
        "institute": HENAU,
        "title": "根茎类中药材产地趁鲜切制与变温干燥技术",
        "summary": (
            "以白芷、天南星、山药等根茎类药材为对象，研究产地趁鲜切制与分段变温热泵干燥工艺，"
            "明确切片厚度、干燥温度与香豆素类成分保留的关系。优化工艺下干燥周期由5～7天缩短至"
            "36小时，白芷欧前胡素含量较传统晒干提高约15%，饮片色泽均匀，可替代硫磺熏蒸。"
        ),
        "keywords": ["趁鲜切制", "变温干燥", "白芷", "中药饮片", "产地加工"],
        "field": "中药材",
        "maturity": "中试",
        "cooperation": ["合作开发", "技术转让"],
    },
    {
        "ref": "DEMO-R26",
        "institute": HENAU,
        "title": "蜡梅切花保鲜剂及采后处理技术",
        "summary": (
            "针对蜡梅切枝落蕾落花严重的问题，筛选出以8-羟基喹啉、蔗糖和乙烯抑制剂1-MCP为主要成分的"
            "复合保鲜剂，配合采后预处理和保湿包装。试验表明，瓶插期由6～7天延长到13天以上，"
            "模拟冷链运输72小时后落蕾率低于8%。已在鄢陵蜡梅基地开展小试。"
        ),
        "keywords": ["蜡梅", "切花保鲜", "保鲜剂", "采后处理", "冷链运输"],
        "field": "花木",
        "maturity": "小试",
        "cooperation": ["技术转让", "技术咨询"],
    },
    {
        "ref": "DEMO-R27",
        "institute": HENAU,
        "title": "大规格苗木容器化培育与四季移栽技术",
        "summary": (
            "采用控根容器和分次断根技术培育胸径8～15cm的大规格乔木，配合专用基质和移栽后"
            "生根剂处理，实现四季移栽。示范基地栾树、国槐、银杏等树种移栽成活率达到98%，"
            "缓苗期缩短一半以上，苗木规格整齐，适合城市园林绿化工程快速成景。"
        ),
        "keywords": ["大规格苗木", "容器育苗", "断根移栽", "成活率"],
        "field": "花木",
        "maturity": "中试",
        "cooperation": ["技术转让"],
    },
    {
        "ref": "DEMO-R28",
        "institute": ZJU_HENAN,
        "title": "铸件凝固过程数值模拟与浇注系统优化技术",
        "summary": (
            "基于自主开发的铸造充型—凝固耦合仿真软件，预测铸件缩松、缩孔和卷气缺陷位置，"
            "针对灰铸铁、球墨铸铁汽车件优化浇注系统、冒口和冷铁布置，并建立型砂性能在线监控方法。"
            "在制动盘、轮毂等铸件上应用，内部缺陷废品率由5%左右降至1.2%以下，"
            "工艺出品率提高3～5个百分点。"
        ),
        "keywords": ["铸造数值模拟", "缩松", "浇注系统", "灰铸铁", "型砂"],
        "field": "装备制造",
        "maturity": "产业化",
        "cooperation": ["委托开发", "技术咨询"],
    },
    {
        "ref": "DEMO-R29",
        "institute": ZJU_HENAN,
        "title": "角蛋白纤维低损伤漂白与修复技术",
        "summary": (
            "采用酶辅助低温漂白体系替代高浓度过硫酸盐，减少对角蛋白二硫键和毛鳞片的破坏；"
            "漂后以水解角蛋白与氨基硅油复配进行交联修复。人发由1号黑漂至613浅金色后，"
            "拉伸强度保留率由约55%提高到80%，经30次标准洗涤后仍保持顺滑，梳理力降低40%。"
        ),
        "keywords": ["人发", "角蛋白", "低损伤漂白", "毛鳞片修复", "发制品"],
        "field": "发制品",
        "maturity": "小试",
        "cooperation": ["合作开发"],
    },
    {
        "ref": "DEMO-R30",
        "institute": ZJU_HENAN,
        "title": "基于深度学习的工业视觉缺陷检测平台",
        "summary": (
            "面向离散制造业开发通用视觉检测平台，集成高分辨率成像、小样本缺陷学习和产线PLC联动"
            "功能，可针对金属加工件、纺织品、纤维制品等快速训练检测模型。典型应用中漏检率低于0.5%，"
            "误检率低于2%，单工位检测节拍小于0.5秒，新品种建模只需约200张缺陷样本。"
        ),
        "keywords": ["机器视觉", "深度学习", "缺陷检测", "智能制造"],
        "field": "电子信息",
        "maturity": "产业化",
        "cooperation": ["技术许可", "委托开发"],
    },
]

# ---------------------------------------------------------------------------------------------
# Signed agreements (技术合同), as recorded by the bureau. Amounts in 万元.
# ---------------------------------------------------------------------------------------------

# Events (活动) some agreements came from: a 对接会 and a 成果发布会 the bureau held.
EVENTS = [
    {
        "key": "DEMO-E01",
        "kind": "MATCHMAKING",
        "title": "2024年许昌市电力装备产学研合作对接会",
        "starts_on": date(2024, 10, 10),
        "place": "许昌市科技大市场一楼报告厅",
        "capacity": 120,
    },
    {
        "key": "DEMO-E02",
        "kind": "LAUNCH",
        "title": "2025年许昌市高校院所科技成果发布会",
        "starts_on": date(2025, 5, 15),
        "place": "许昌市会展中心",
        "capacity": 200,
    },
]

# Each agreement: contract_type (a ContractType name), tech_amount (技术交易额 ≤ amount),
# optional extra_buyers / extra_sellers (more than two parties) and event (an EVENTS key).
AGREEMENT_COUNT = 44
AGREEMENT_TOTAL = Decimal("4098.22")

AGREEMENTS = [
    # 2023
    {
        "key": "DEMO-A01",
        "title": "开关柜无源无线测温技术许可",
        "company": ZHONGHONG,
        "institute": IEE,
        "signed_on": date(2023, 3, 16),
        "amount": Decimal("86.40"),
        "contract_type": "LICENSING",
        "tech_amount": Decimal("86.40"),
        "problem_ref": "DEMO-P01",
        "result_ref": "DEMO-R01",
    },
    {
        "key": "DEMO-A02",
        "title": "宝石级金刚石大单晶生长工艺合作开发",
        "company": JINGRUI,
        "institute": ZZU,
        "signed_on": date(2023, 4, 27),
        "amount": Decimal("320.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("256.00"),
        "problem_ref": "DEMO-P07",
        "result_ref": "DEMO-R10",
    },
    {
        "key": "DEMO-A03",
        "title": "发制品染色废水深度处理与回用技术转让",
        "company": SIYUN,
        "institute": IPE,
        "signed_on": date(2023, 6, 8),
        "amount": Decimal("126.60"),
        "contract_type": "TRANSFER",
        "tech_amount": Decimal("126.60"),
        "problem_ref": "DEMO-P10",
        "result_ref": "DEMO-R23",
    },
    {
        "key": "DEMO-A04",
        "title": "禹白芷产地趁鲜切制与干燥工艺合作开发",
        "company": YAOYUAN,
        "institute": HENAU,
        "signed_on": date(2023, 7, 19),
        "amount": Decimal("36.80"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("31.28"),
        "problem_ref": "DEMO-P19",
        "result_ref": "DEMO-R25",
    },
    {
        "key": "DEMO-A05",
        "title": "鄢陵蜡梅切花保鲜技术咨询",
        "company": HUIYUAN,
        "institute": HENAU,
        "signed_on": date(2023, 9, 5),
        "amount": Decimal("8.50"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("8.50"),
        "problem_ref": "DEMO-P23",
        "result_ref": "DEMO-R26",
    },
    {
        "key": "DEMO-A06",
        "title": "线路保护装置电磁兼容整改技术咨询",
        "company": DEHENG,
        "institute": THU_EEA,
        "signed_on": date(2023, 10, 24),
        "amount": Decimal("12.00"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("12.00"),
        "problem_ref": "DEMO-P04",
        "result_ref": None,
    },
    {
        "key": "DEMO-A07",
        "title": "再生铝熔体除铁保级利用中试合作",
        "company": XINXUN,
        "institute": CAS_HENAN,
        "signed_on": date(2023, 11, 30),
        "amount": Decimal("168.00"),
        "contract_type": "SERVICE",
        "tech_amount": Decimal("168.00"),
        "problem_ref": "DEMO-P16",
        "result_ref": "DEMO-R20",
    },
    {
        "key": "DEMO-A08",
        "title": "制动盘铸造工艺数值模拟优化委托开发",
        "company": HONGCHI,
        "institute": ZJU_HENAN,
        "signed_on": date(2023, 12, 18),
        "amount": Decimal("52.80"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("47.52"),
        "problem_ref": "DEMO-P13",
        "result_ref": "DEMO-R28",
    },
    # 2024
    {
        "key": "DEMO-A09",
        "title": "配电网接地故障暂态选线技术许可",
        "company": HENGTUO,
        "institute": THU_EEA,
        "signed_on": date(2024, 1, 22),
        "amount": Decimal("128.00"),
        "contract_type": "LICENSING",
        "tech_amount": Decimal("128.00"),
        "problem_ref": "DEMO-P05",
        "result_ref": "DEMO-R04",
    },
    {
        "key": "DEMO-A10",
        "title": "PCD刀具活性钎焊工艺委托开发",
        "company": LIFENG,
        "institute": ZZU,
        "signed_on": date(2024, 3, 14),
        "amount": Decimal("45.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("42.75"),
        "problem_ref": "DEMO-P09",
        "result_ref": "DEMO-R11",
    },
    {
        "key": "DEMO-A11",
        "title": "储能电池簇级主动均衡变流装置合作开发",
        "company": LANCHUAN,
        "institute": IEE,
        "signed_on": date(2024, 4, 9),
        "amount": Decimal("268.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("214.40"),
        "problem_ref": "DEMO-P06",
        "result_ref": "DEMO-R07",
    },
    {
        "key": "DEMO-A12",
        "title": "钧瓷窑炉气氛激光在线检测合作开发",
        "company": JIXIA,
        "institute": HFIPS,
        "signed_on": date(2024, 5, 21),
        "amount": Decimal("58.60"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("49.81"),
        "problem_ref": "DEMO-P21",
        "result_ref": "DEMO-R19",
    },
    {
        "key": "DEMO-A13",
        "title": "无矾红薯粉条加工技术转让",
        "company": FENGSUI,
        "institute": HAUT,
        "signed_on": date(2024, 6, 13),
        "amount": Decimal("72.35"),
        "contract_type": "TRANSFER",
        "tech_amount": Decimal("72.35"),
        "problem_ref": "DEMO-P25",
        "result_ref": "DEMO-R15",
    },
    {
        "key": "DEMO-A14",
        "title": "废杂铜精炼节能与烟气治理委托开发",
        "company": TONGYUAN,
        "institute": IPE,
        "signed_on": date(2024, 7, 2),
        "amount": Decimal("152.80"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("137.52"),
        "problem_ref": "DEMO-P18",
        "result_ref": "DEMO-R24",
    },
    {
        "key": "DEMO-A15",
        "title": "中药材拉曼光谱快速检测技术转让",
        "company": YAOYUAN,
        "institute": HFIPS,
        "signed_on": date(2024, 8, 20),
        "amount": Decimal("28.00"),
        "contract_type": "TRANSFER",
        "tech_amount": Decimal("28.00"),
        "problem_ref": "DEMO-P20",
        "result_ref": "DEMO-R17",
    },
    {
        "key": "DEMO-A16",
        "title": "人发低损伤漂色与修复工艺合作开发",
        "company": MEIQI,
        "institute": ZJU_HENAN,
        "signed_on": date(2024, 9, 11),
        "amount": Decimal("42.50"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("40.38"),
        "problem_ref": "DEMO-P11",
        "result_ref": "DEMO-R29",
    },
    {
        "key": "DEMO-A17",
        "title": "金刚石微粉整形与精密分级技术转让",
        "company": JINGRUI,
        "institute": HAUT,
        "signed_on": date(2024, 10, 17),
        "amount": Decimal("108.00"),
        "contract_type": "TRANSFER",
        "tech_amount": Decimal("108.00"),
        "problem_ref": "DEMO-P08",
        "result_ref": "DEMO-R14",
    },
    {
        "key": "DEMO-A18",
        "title": "环保气体绝缘环网柜合作开发",
        "company": ZHONGHONG,
        "institute": THU_EEA,
        "signed_on": date(2024, 11, 26),
        "amount": Decimal("436.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("348.80"),
        "extra_sellers": [IEE],
        "event": "DEMO-E01",
        "problem_ref": "DEMO-P02",
        "result_ref": "DEMO-R02",
    },
    {
        "key": "DEMO-A19",
        "title": "苗圃智能水肥一体化系统委托开发",
        "company": HUIYUAN,
        "institute": HFIPS,
        "signed_on": date(2024, 12, 19),
        "amount": Decimal("63.40"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("53.89"),
        "event": "DEMO-E01",
        "problem_ref": "DEMO-P24",
        "result_ref": "DEMO-R18",
    },
    # 2025
    {
        "key": "DEMO-A20",
        "title": "分布式光伏接入配网自适应保护合作开发",
        "company": DEHENG,
        "institute": THU_EEA,
        "signed_on": date(2025, 1, 9),
        "amount": Decimal("196.50"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("176.85"),
        "event": "DEMO-E01",
        "problem_ref": "DEMO-P03",
        "result_ref": "DEMO-R03",
    },
    {
        "key": "DEMO-A21",
        "title": "二次铝灰无害化与资源化利用合作开发",
        "company": XINXUN,
        "institute": IPE,
        "signed_on": date(2025, 2, 25),
        "amount": Decimal("258.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("245.10"),
        "extra_buyers": [TONGYUAN],
        "problem_ref": "DEMO-P17",
        "result_ref": "DEMO-R22",
    },
    {
        "key": "DEMO-A22",
        "title": "传动轴花键感应淬火变形控制委托开发",
        "company": TONGHENG,
        "institute": IEE,
        "signed_on": date(2025, 3, 18),
        "amount": Decimal("38.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("30.40"),
        "problem_ref": "DEMO-P14",
        "result_ref": "DEMO-R08",
    },
    {
        "key": "DEMO-A23",
        "title": "钧瓷梭式窑智能烧成控制系统合作开发",
        "company": JIXIA,
        "institute": CAS_HENAN,
        "signed_on": date(2025, 4, 10),
        "amount": Decimal("47.20"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("40.12"),
        "problem_ref": "DEMO-P21",
        "result_ref": "DEMO-R21",
    },
    {
        "key": "DEMO-A24",
        "title": "人发原料分选机器视觉检测技术咨询",
        "company": SIYUN,
        "institute": ZJU_HENAN,
        "signed_on": date(2025, 4, 29),
        "amount": Decimal("9.80"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("9.80"),
        "problem_ref": None,
        "result_ref": "DEMO-R30",
    },
    {
        "key": "DEMO-A25",
        "title": "金刚石合成车间工艺数据分析技术咨询",
        "company": JINGRUI,
        "institute": ZZU,
        "signed_on": date(2025, 5, 22),
        "amount": Decimal("14.00"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("14.00"),
        "problem_ref": None,
        "result_ref": None,
    },
    {
        "key": "DEMO-A26",
        "title": "制动盘表面缺陷机器视觉检测系统委托开发",
        "company": HONGCHI,
        "institute": ZJU_HENAN,
        "signed_on": date(2025, 6, 17),
        "amount": Decimal("96.60"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("86.94"),
        "event": "DEMO-E02",
        "problem_ref": None,
        "result_ref": "DEMO-R30",
    },
    {
        "key": "DEMO-A27",
        "title": "配电网超导限流器应用可行性技术咨询",
        "company": HENGTUO,
        "institute": IEE,
        "signed_on": date(2025, 7, 8),
        "amount": Decimal("24.00"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("24.00"),
        "problem_ref": None,
        "result_ref": "DEMO-R09",
    },
    {
        "key": "DEMO-A28",
        "title": "中药饮片变温干燥生产线工艺合作开发（二期）",
        "company": YAOYUAN,
        "institute": HENAU,
        "signed_on": date(2025, 8, 14),
        "amount": Decimal("61.75"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("58.66"),
        "event": "DEMO-E02",
        "problem_ref": "DEMO-P19",
        "result_ref": "DEMO-R25",
    },
    {
        "key": "DEMO-A29",
        "title": "大规格苗木容器化培育技术转让",
        "company": HUIYUAN,
        "institute": HENAU,
        "signed_on": date(2025, 9, 3),
        "amount": Decimal("18.60"),
        "contract_type": "TRANSFER",
        "tech_amount": Decimal("18.60"),
        "event": "DEMO-E02",
        "problem_ref": None,
        "result_ref": "DEMO-R27",
    },
    {
        "key": "DEMO-A30",
        "title": "化纤发丝耐高温定型改性技术咨询",
        "company": MEIQI,
        "institute": ZZU,
        "signed_on": date(2025, 9, 25),
        "amount": Decimal("11.50"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("11.50"),
        "problem_ref": None,
        "result_ref": None,
    },
    {
        "key": "DEMO-A31",
        "title": "开关柜无线测温系统升级合作开发（二期）",
        "company": ZHONGHONG,
        "institute": IEE,
        "signed_on": date(2025, 10, 21),
        "amount": Decimal("64.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("51.20"),
        "problem_ref": "DEMO-P01",
        "result_ref": "DEMO-R01",
    },
    {
        "key": "DEMO-A32",
        "title": "红薯淀粉废水蛋白回收与薯渣利用合作开发",
        "company": FENGSUI,
        "institute": HAUT,
        "signed_on": date(2025, 11, 13),
        "amount": Decimal("112.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("95.20"),
        "problem_ref": "DEMO-P25",
        "result_ref": "DEMO-R16",
    },
    {
        "key": "DEMO-A33",
        "title": "再生铜杆质量在线检测技术咨询",
        "company": TONGYUAN,
        "institute": CAS_HENAN,
        "signed_on": date(2025, 12, 16),
        "amount": Decimal("26.50"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("26.50"),
        "problem_ref": None,
        "result_ref": None,
    },
    # 2026
    {
        "key": "DEMO-A34",
        "title": "储能电站接入配电网保护配合技术咨询",
        "company": LANCHUAN,
        "institute": THU_EEA,
        "signed_on": date(2026, 1, 13),
        "amount": Decimal("31.50"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("31.50"),
        "problem_ref": None,
        "result_ref": "DEMO-R03",
    },
    {
        "key": "DEMO-A35",
        "title": "再生铝保级利用产业化推广合作（二期）",
        "company": XINXUN,
        "institute": CAS_HENAN,
        "signed_on": date(2026, 2, 26),
        "amount": Decimal("188.00"),
        "contract_type": "SERVICE",
        "tech_amount": Decimal("188.00"),
        "problem_ref": "DEMO-P16",
        "result_ref": "DEMO-R20",
    },
    {
        "key": "DEMO-A36",
        "title": "保护装置电源模块宽温可靠性委托开发",
        "company": DEHENG,
        "institute": IEE,
        "signed_on": date(2026, 3, 19),
        "amount": Decimal("48.30"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("43.47"),
        "problem_ref": None,
        "result_ref": None,
    },
    {
        "key": "DEMO-A37",
        "title": "PCD刀具刃口精密磨削工艺合作开发",
        "company": LIFENG,
        "institute": HAUT,
        "signed_on": date(2026, 4, 8),
        "amount": Decimal("57.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("54.15"),
        "problem_ref": None,
        "result_ref": None,
    },
    {
        "key": "DEMO-A38",
        "title": "钧釉本地矿料稳定化技术咨询",
        "company": JIXIA,
        "institute": ZZU,
        "signed_on": date(2026, 5, 12),
        "amount": Decimal("9.60"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("9.60"),
        "problem_ref": "DEMO-P22",
        "result_ref": None,
    },
    {
        "key": "DEMO-A39",
        "title": "制动盘高碳灰铸铁材质优化技术咨询",
        "company": HONGCHI,
        "institute": ZZU,
        "signed_on": date(2026, 6, 4),
        "amount": Decimal("22.00"),
        "contract_type": "CONSULTING",
        "tech_amount": Decimal("22.00"),
        "problem_ref": None,
        "result_ref": None,
    },
    {
        "key": "DEMO-A40",
        "title": "染色废水中水回用扩能改造技术转让（二期）",
        "company": SIYUN,
        "institute": IPE,
        "signed_on": date(2026, 7, 15),
        "amount": Decimal("108.50"),
        "contract_type": "TRANSFER",
        "tech_amount": Decimal("108.50"),
        "problem_ref": "DEMO-P10",
        "result_ref": "DEMO-R23",
    },
    {
        "key": "DEMO-A41",
        "title": "大颗粒金刚石单晶量产工艺合作开发（二期）",
        "company": JINGRUI,
        "institute": ZZU,
        "signed_on": date(2026, 8, 20),
        "amount": Decimal("266.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("212.80"),
        "extra_sellers": [HAUT],
        "problem_ref": "DEMO-P07",
        "result_ref": "DEMO-R10",
    },
    {
        "key": "DEMO-A42",
        "title": "中药材农残便携式快检仪定制开发",
        "company": YAOYUAN,
        "institute": HFIPS,
        "signed_on": date(2026, 9, 10),
        "amount": Decimal("39.80"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("33.83"),
        "problem_ref": "DEMO-P20",
        "result_ref": "DEMO-R17",
    },
    {
        "key": "DEMO-A43",
        "title": "苗圃水肥一体化系统扩面委托开发",
        "company": HUIYUAN,
        "institute": HFIPS,
        "signed_on": date(2026, 10, 14),
        "amount": Decimal("52.00"),
        "contract_type": "DEVELOPMENT",
        "tech_amount": Decimal("46.80"),
        "problem_ref": "DEMO-P24",
        "result_ref": "DEMO-R18",
    },
    {
        "key": "DEMO-A44",
        "title": "接地故障选线算法终端移植与挂网试运行",
        "company": HENGTUO,
        "institute": THU_EEA,
        "signed_on": date(2026, 11, 5),
        "amount": Decimal("83.32"),
        "contract_type": "SERVICE",
        "tech_amount": Decimal("83.32"),
        "problem_ref": "DEMO-P05",
        "result_ref": "DEMO-R04",
    },
]

# Experts and shareable equipment of the institutes (issue 3). Names of experts are
# fictional; units and instruments are typical of these institutes.
EXPERTS = [
    {
        "ref": "DEMO-E01",
        "institute": IEE,
        "name": "陈立新",
        "expert_title": "研究员",
        "unit": "中国科学院电工研究所 电力设备新技术实验室",
        "directions": (
            "高压开关设备状态监测、无源无线传感与智能配电设备，兼顾配电室温度、局放综合监测系统。"
        ),
        "achievements": "主持国家重点研发计划课题 2 项；开关柜无源测温技术在 300 余座配电室应用。",
        "field": "电力装备",
        "keywords": ["开关柜", "状态监测", "无线测温"],
    },
    {
        "ref": "DEMO-E02",
        "institute": ZZU,
        "name": "王振华",
        "expert_title": "教授",
        "unit": "郑州大学 材料科学与工程学院",
        "directions": (
            "超硬材料合成与刀具应用，聚晶立方氮化硼、聚晶金刚石复合片的烧结工艺与刃口处理。"
        ),
        "achievements": "发表论文 80 余篇；PCBN 刀具技术在多家汽车零部件企业推广。",
        "field": "超硬材料",
        "keywords": ["PCBN", "超硬刀具", "金刚石"],
    },
    {
        "ref": "DEMO-E03",
        "institute": HENAU,
        "name": "刘春梅",
        "expert_title": "副教授",
        "unit": "河南农业大学 食品科学技术学院",
        "directions": "薯类淀粉加工与副产物综合利用，无矾粉条工艺、薯渣高值化和淀粉废水处理回用。",
        "achievements": "无矾红薯粉条技术在襄城、禹州等地 6 家企业应用。",
        "field": "农副产品深加工",
        "keywords": ["红薯粉条", "无矾", "薯渣利用"],
    },
]

EQUIPMENT = [
    {
        "ref": "DEMO-Q01",
        "institute": ZZU,
        "name": "场发射扫描电子显微镜",
        "model_no": "SU8020",
        "unit": "郑州大学 材料测试中心",
        "capabilities": "超硬材料、刀具涂层的表面形貌、断口与能谱成分分析，可出具检测报告。",
        "sharing_mode": "委托测试",
        "fee_standard": "400 元/小时（校外企业）",
        "location": "郑州大学主校区材料楼",
        "field": "超硬材料",
        "keywords": ["电镜", "形貌分析", "能谱"],
    },
    {
        "ref": "DEMO-Q02",
        "institute": IEE,
        "name": "局部放电检测与定位系统",
        "model_no": "PD-Check 8",
        "unit": "中国科学院电工研究所 高电压实验室",
        "capabilities": "开关柜、电缆终端与互感器的局部放电检测、定位和图谱诊断，支持现场检测。",
        "sharing_mode": "共享使用",
        "fee_standard": "3000 元/天",
        "location": "北京市海淀区中关村北二条",
        "field": "电力装备",
        "keywords": ["局部放电", "开关柜", "电缆"],
    },
]

# One problem posted anonymously: its details go to institutes only, and its company's name
# shows once the company accepts a 对接.
ANONYMOUS_PROBLEM_REFS = ["DEMO-P03"]
