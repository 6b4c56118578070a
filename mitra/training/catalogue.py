"""The courses every installation starts with. Hours (JPL) per level are not fixed by a public
regulation (domain.md: unconfirmed); these follow common ministry practice and can be edited."""

COURSES = [
    # code, title, level, hours, organiser, completes_basic, validity_years, prerequisites
    (
        "PSM-D",
        "Pelatihan Dasar Pekerja Sosial Masyarakat",
        "dasar",
        40,
        "kemensos",
        True,
        None,
        [],
        "Konsep kesejahteraan sosial; peran dan tugas PSM; mengenal 26 jenis PMKS; "
        "identifikasi dan pendataan; etika pekerjaan sosial; rujukan ke program bantuan.",
    ),
    (
        "PSM-L",
        "Pelatihan Lanjutan Pekerja Sosial Masyarakat",
        "lanjutan",
        60,
        "kemensos",
        False,
        5,
        ["PSM-D"],
        "Asesmen kebutuhan; pendampingan keluarga; manajemen kasus dasar; "
        "advokasi sosial; pelaporan kegiatan.",
    ),
    (
        "TEM-BENCANA",
        "Tanggap Darurat Bencana bersama Tagana",
        "tematik",
        32,
        "provinsi",
        False,
        3,
        ["PSM-D"],
        "Kesiapsiagaan; dapur umum; pendataan korban; dukungan psikososial awal.",
    ),
    (
        "TEM-KASUS",
        "Manajemen Kasus Kesejahteraan Sosial",
        "tematik",
        40,
        "kemensos",
        False,
        5,
        ["PSM-D"],
        "Alur manajemen kasus; rencana intervensi; rujukan dan tindak lanjut; "
        "perlindungan data pribadi.",
    ),
    (
        "TEM-LK3",
        "Konseling Keluarga bersama LK3",
        "tematik",
        24,
        "kabupaten",
        False,
        None,
        ["PSM-D"],
        "Dasar konseling; mengenali keluarga bermasalah sosial psikologis; rujukan ke LK3.",
    ),
]


def seed_courses(Course) -> None:
    """Create the starting catalogue (idempotent). `Course` may be the historical model."""
    by_code = {}
    for code, title, level, hours, organiser, basic, years, _prereq, comp in COURSES:
        by_code[code], _ = Course.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "level": level,
                "hours": hours,
                "organiser_type": organiser,
                "completes_basic": basic,
                "validity_years": years,
                "competencies": comp,
            },
        )
    for code, *_rest, prereqs, _comp in COURSES:
        for p in prereqs:
            by_code[code].prerequisites.add(by_code[p])
