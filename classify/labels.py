"""Prototype texts for each stance and topic: data, not code.

Each label is described by a few short Vietnamese sentences written from the labelling
guidelines (not copied from labelled items). ``classify.prototypes`` embeds them on the
e5 ``query:`` side and averages them per label. Stance is coverage toward the locality:
positive promotes it, negative reports harm or wrongdoing there, neutral informs.
Edit these to adapt the classifier; the dev-set floors in ``floors.json`` catch regressions.
"""

from __future__ import annotations

from core.enums import Stance, Topic

STANCE_PROTOTYPES: dict[Stance, tuple[str, ...]] = {
    Stance.POSITIVE: (
        "Địa phương đạt nhiều thành tựu, kinh tế tăng trưởng cao, đời sống người dân được nâng lên",
        "Thu hút thêm nhiều dự án đầu tư lớn, doanh nghiệp mở rộng sản xuất, tạo việc làm cho người lao động",
        "Lễ hội diễn ra thành công, thu hút hàng vạn du khách trong và ngoài nước",
        "Cảnh đẹp, món ngon, điểm đến hấp dẫn du khách",
        "Thành phố được vinh danh, nhận giải thưởng, lọt top điểm đến hàng đầu",
        "Khánh thành công trình mới, người dân phấn khởi",
        "Người dân tốt bụng giúp đỡ người gặp nạn, trả lại tài sản nhặt được",
        "Chính quyền hỗ trợ kịp thời, chăm lo cho người nghèo và gia đình chính sách",
        "Học sinh đạt giải cao, trường học đạt chuẩn quốc gia",
        "Mùa màng bội thu, nông dân trúng mùa được giá",
    ),
    Stance.NEUTRAL: (
        "Thông báo lịch tổ chức, kế hoạch và quy định mới của cơ quan chức năng",
        "Hội nghị, cuộc họp bàn về công tác quản lý nhà nước",
        "Số liệu thống kê, giá cả thị trường trong tuần",
        "Dự báo thời tiết, nhiệt độ và lượng mưa trong những ngày tới",
        "Cơ quan công an khởi tố vụ án, bắt giữ đối tượng theo quy định của pháp luật",
        "Tòa án mở phiên xét xử và tuyên án bị cáo",
        "Ý kiến nhiều chiều về một dự án, cơ quan chức năng đang xem xét",
        "Tin tức về các sự kiện diễn ra trong ngày",
    ),
    Stance.NEGATIVE: (
        "Tai nạn giao thông nghiêm trọng làm nhiều người chết và bị thương",
        "Vụ giết người, cướp tài sản gây hoang mang cho người dân",
        "Cán bộ tham nhũng, nhận hối lộ, sai phạm trong quản lý đất đai",
        "Ô nhiễm môi trường, nước thải và rác thải bốc mùi khiến người dân bức xúc",
        "Dự án chậm tiến độ, bỏ hoang, gây lãng phí hàng trăm tỷ đồng",
        "Bão lũ, sạt lở gây thiệt hại nặng nề về người và tài sản",
        "Người dân khiếu nại, khiếu kiện kéo dài vì tranh chấp đất đai",
        "Dịch vụ kém, du khách bị chặt chém và lừa đảo",
        "Thực phẩm bẩn, hàng giả, hàng kém chất lượng bày bán tràn lan",
        "Cháy nổ, đuối nước, sự cố gây chết người",
        "Bệnh viện quá tải, bệnh nhân tử vong nghi do sai sót chuyên môn",
    ),
}

TOPIC_PROTOTYPES: dict[Topic, tuple[str, ...]] = {
    Topic.TOURISM_CULTURE: (
        "Du lịch: du khách, khách sạn, điểm đến, tour tham quan",
        "Văn hóa nghệ thuật: lễ hội, ca nhạc, triển lãm, di sản, di tích",
        "Ẩm thực, món ăn đặc sản, phim ảnh, ca sĩ, nghệ sĩ biểu diễn",
        "Khám phá phong cảnh thiên nhiên, biển đảo, làng quê; trải nghiệm của du khách",
    ),
    Topic.INVESTMENT_BUSINESS: (
        "Đầu tư: dự án, nhà đầu tư, vốn đầu tư, khu công nghiệp",
        "Doanh nghiệp, công ty cổ phần, chứng khoán, ngân hàng, lợi nhuận",
        "Kinh doanh: mở rộng thị trường, mua bán sáp nhập, nhà đầu tư nước ngoài",
    ),
    Topic.TRADE_INDUSTRY_PRODUCTS: (
        "Thương mại: xuất nhập khẩu, giá cả hàng hóa, bán lẻ, siêu thị",
        "Sản xuất công nghiệp, nhà máy, sản phẩm hàng Việt, khuyến mại",
        "Giá xăng dầu, giá điện, giá vàng, chợ và hàng tiêu dùng",
    ),
    Topic.AGRICULTURE: (
        "Nông nghiệp: lúa gạo, cây trồng, mùa vụ, nông dân",
        "Thủy sản: nuôi tôm, đánh bắt cá, ngư dân",
        "Chăn nuôi, dịch bệnh gia súc gia cầm, cà phê, cao su, hồ tiêu",
    ),
    Topic.ENVIRONMENT: (
        "Môi trường: ô nhiễm, rác thải, nước thải, khí thải",
        "Bảo vệ rừng, đa dạng sinh học, biến đổi khí hậu, tài nguyên thiên nhiên",
        "Xử lý chất thải, cây xanh, khai thác cát trái phép",
        "Phá rừng, săn bắt và buôn bán động vật hoang dã, khai thác khoáng sản trái phép",
    ),
    Topic.LAND_URBAN: (
        "Đất đai: thu hồi đất, đền bù, giải phóng mặt bằng, cấp sổ đỏ",
        "Quy hoạch đô thị, xây dựng trái phép, nhà ở, chung cư, khu dân cư",
        "Chỉnh trang đô thị, lấn chiếm vỉa hè, trật tự xây dựng",
        "Thị trường bất động sản, giá đất, dự án nhà ở, mua bán căn hộ",
    ),
    Topic.INFRASTRUCTURE_TRANSPORT: (
        "Giao thông: đường bộ, cầu, đường cao tốc, sân bay, cảng biển, đường sắt",
        "Hạ tầng: công trình xây dựng, điện, cấp nước, thoát nước",
        "Xe buýt, hàng không, chuyến bay, ùn tắc giao thông",
    ),
    Topic.HEALTH: (
        "Y tế: bệnh viện, bác sĩ, bệnh nhân, khám chữa bệnh",
        "Dịch bệnh, tiêm chủng, sốt xuất huyết, HIV/AIDS",
        "An toàn thực phẩm, ngộ độc thực phẩm, thuốc chữa bệnh",
    ),
    Topic.EDUCATION: (
        "Giáo dục: trường học, học sinh, giáo viên, kỳ thi",
        "Đại học, sinh viên, tuyển sinh, học bổng, du học",
        "Thi tốt nghiệp, đề thi, điểm chuẩn, chương trình học",
    ),
    Topic.DISASTERS_WEATHER: (
        "Thiên tai: bão, lũ lụt, sạt lở đất, hạn hán",
        "Thời tiết: mưa lớn, nắng nóng, rét đậm, áp thấp nhiệt đới, dự báo thời tiết",
        "Triều cường, động đất, phòng chống thiên tai, cứu hộ cứu nạn",
    ),
    Topic.PUBLIC_SAFETY_CRIME: (
        "Tội phạm: giết người, cướp giật, trộm cắp, lừa đảo, ma túy",
        "Công an điều tra, bắt giữ, khởi tố vụ án; tòa án xét xử bị cáo",
        "Tai nạn giao thông, cháy nổ, đuối nước, an ninh trật tự",
    ),
    Topic.GOVERNMENT_ADMINISTRATION: (
        "Chính quyền: UBND, HĐND, hội nghị, nghị quyết, chỉ đạo điều hành",
        "Bổ nhiệm cán bộ, tổ chức bộ máy, cải cách thủ tục hành chính",
        "Ngân sách, thuế, thanh tra công vụ, phòng chống tham nhũng",
    ),
    Topic.SOCIETY_WELFARE_LABOUR: (
        "Xã hội: người nghèo, từ thiện, an sinh xã hội, gia đình chính sách",
        "Lao động, việc làm, tiền lương, bảo hiểm xã hội, công nhân",
        "Đời sống người dân, trẻ em, người cao tuổi, hôn nhân gia đình",
    ),
    Topic.SCIENCE_TECHNOLOGY: (
        "Khoa học công nghệ: nghiên cứu, phát minh, ứng dụng công nghệ",
        "Internet, viễn thông, phần mềm, điện thoại, máy tính, chuyển đổi số",
        "Vệ tinh, vũ trụ, trí tuệ nhân tạo, khởi nghiệp sáng tạo",
    ),
    Topic.SPORTS: (
        "Thể thao: bóng đá, trận đấu, cầu thủ, câu lạc bộ, giải vô địch",
        "Vận động viên, huấn luyện viên, huy chương, thi đấu",
        "Quần vợt, xe đạp, điền kinh, marathon, bơi lội",
    ),
    Topic.FOREIGN_AFFAIRS: (
        "Đối ngoại: hợp tác quốc tế, đoàn lãnh đạo nước ngoài, đại sứ",
        "Ngoại giao, ký kết thỏa thuận hợp tác với các nước",
        "Quan hệ hữu nghị, kiều bào, người Việt Nam ở nước ngoài",
    ),
    Topic.OTHER: (
        "Chuyện lạ, đời sống giải trí, người nổi tiếng",
        "Tin vắn tổng hợp về nhiều chuyện khác nhau",
    ),
}
