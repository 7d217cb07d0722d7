"""The words, names and sentence templates demo films, people, sources and facts are made of."""

from ..models import Credit, Source

TITLE_ADJECTIVES = (
    "Silent", "Crimson", "Last", "Distant", "Golden", "Broken", "Hidden", "Northern", "Endless", "Quiet",
    "Burning", "Paper", "Glass", "Winter", "Midnight", "Forgotten", "Restless", "Velvet", "Iron", "Scarlet",
)  # fmt: skip
TITLE_NOUNS = (
    "Harbour", "Lantern", "Orchard", "Carousel", "Lighthouse", "Ballroom", "Frontier", "Staircase", "Garden",
    "Express", "Mirror", "Tide", "Kingdom", "Masquerade", "Archive", "Balcony", "Circus", "Island", "Meridian",
    "Overture", "Pavilion", "Signal", "Tower", "Voyage",
)  # fmt: skip
TITLE_PATTERNS = ("The {adj} {noun}", "{adj} {noun}", "{noun} in {place}", "The {noun} of {place}", "The {noun}")

FIRST_NAMES = (
    "Ada", "Albert", "Alice", "Anton", "Beatrice", "Bernard", "Clara", "Conrad", "Dora", "Edmund", "Elsa",
    "Felix", "Frances", "Gregor", "Greta", "Harold", "Hedda", "Ivor", "Imogen", "Jules", "Julia", "Kasimir",
    "Lena", "Leopold", "Margot", "Marius", "Nadia", "Nikolai", "Olive", "Oskar", "Pauline", "Quentin", "Rosa",
    "Rupert", "Sabine", "Silas", "Tamsin", "Theo", "Ursula", "Victor", "Vera", "Walter", "Wilhelmina", "Yves",
    "Zelda", "Ingrid", "Luis", "Mei", "Kenji", "Amara",
)  # fmt: skip
LAST_NAMES = (
    "Ashdown", "Bellweather", "Carrow", "Delacroix", "Eastwick", "Fairbrother", "Galloway", "Hartigan",
    "Ingleby", "Jarrow", "Kessler", "Lindqvist", "Marchetti", "Northcote", "Okonkwo", "Pemberton", "Quill",
    "Rasmussen", "Strand", "Thorne", "Underhill", "Varga", "Whitlock", "Yarrow", "Zimmer", "Achterberg",
    "Brannigan", "Castellan", "Dunmore", "Esterhazy", "Fontaine", "Greaves", "Holloway", "Ishikawa",
    "Kowalczyk", "Lachance", "Moreau", "Nakamura", "Ostrowski", "Pradhan", "Rinaldi", "Sorensen", "Tavares",
    "Valdez", "Wexford",
)  # fmt: skip
STUDIO_WORDS = ("Harbourlight", "Meridian", "Northstar", "Silverpoint", "Lanternfield", "Beacon", "Orchard Lane")
STUDIO_KINDS = ("Pictures", "Films", "Studios", "Productions", "Film Distributors")
CHARACTER_NAMES = (
    "Captain Marlowe", "Lady Ashcombe", "the ferryman", "Inspector Dray", "Madame Vesna", "the young clerk",
    "Professor Hale", "the lighthouse keeper", "Nell", "the Count", "Miss Tremaine", "the conductor",
    "Doctor Aurel", "the widow Carraway", "Tobias", "the dancer", "the stranger", "Sister Agnes",
)  # fmt: skip
PLACES = (
    "Lisbon", "Trieste", "the Outer Hebrides", "Marseille", "Tangier", "Bruges", "Monte Carlo", "Cornwall",
    "Vienna", "Galway", "Naples", "Oslo", "Valletta", "the Yorkshire Dales", "Budapest", "Dubrovnik",
)  # fmt: skip
SCENES = (
    "opening", "ballroom", "train", "storm", "rooftop", "market", "wedding", "chase", "duel", "carnival",
    "funeral", "harbour", "final",
)  # fmt: skip
SOURCE_SHAPES = (
    (Source.Kind.TRIVIA_PAGE, "{title} ({year}): trivia notes"),
    (Source.Kind.BOOK, "Making {title}: a production history"),
    (Source.Kind.ARTICLE, "{title} at {age}: a retrospective"),
    (Source.Kind.INTERVIEW, "Interview: {director} on {title}"),
    (Source.Kind.DOCUMENT, "{title}: studio press book"),
    (Source.Kind.WEBSITE, "{title} ({year}) on the Film Archive Review"),
)
PUBLISHERS = ("Film Archive Review", "Silver Screen Quarterly", "Harbour Books", "The Projectionist", "Reel History")

# Uncited sentences between the cited ones, so a source reads like a document, not a list.
FILLER = (
    "Accounts of what happened next differ in the details.",
    "The trade papers of the time paid the matter little attention.",
    "Few of the surviving crew members remember it the same way.",
    "The studio's own records are incomplete for this period.",
    "It was, by any measure, an unusual way to make a picture.",
    "Several versions of this story have circulated since.",
    "The production notes say little more on the subject.",
)  # fmt: skip

# A second sentence backing the one before it: the fact then cites both.
CORROBORATIONS = (
    "{actor} confirmed this in an interview {later} years later.",
    "The call sheets for {title} bear this out, day by day.",
    "{director} told the same story at a lecture in {place}.",
)
# Each topic: (slug, name, order, spoiler, templates). A template is (source sentence, fact
# text); the fact restates what the cited sentence says and no more. Slots: {title} {year}
# {director} {writer} {composer} {cinematographer} {designer} {actor} {actor2} {character}
# {place} {scene} {n} {m} {weeks} {studio} {later}.
TOPICS = (
    ("demo-casting", "Casting", 110, False, (
        ("{actor} was cast as {character} after {n} rounds of auditions.",
         "{actor} won the part of {character} after {n} rounds of auditions."),
        ("{director} first offered the role of {character} to {actor2}, who turned it down.",
         "{actor2} turned down the role of {character} before it went to another actor."),
        ("{actor} learned to ride, fence and sail for the part of {character}.",
         "{actor} learned to ride, fence and sail to play {character}."),
    )),
    ("demo-filming", "Filming", 120, False, (
        ("The {scene} scene took {n} days to shoot and needed {m} takes.",
         "The {scene} scene took {n} days to film, over {m} takes."),
        ("{cinematographer} lit the {scene} scene with a single lamp hidden behind the set.",
         "{cinematographer} lit the {scene} scene with one hidden lamp."),
        ("Shooting stopped for {weeks} weeks when {actor} broke an ankle during the {scene} scene.",
         "Filming was halted for {weeks} weeks after {actor} broke an ankle."),
    )),
    ("demo-music", "Music and score", 130, False, (
        ("{composer} wrote {n} minutes of music for the {scene} sequence alone.",
         "The {scene} sequence has {n} minutes of music by {composer}."),
        ("{composer} recorded the score in {place} with an orchestra of {m} players.",
         "The score was recorded in {place} with {m} musicians under {composer}."),
    )),
    ("demo-locations", "Locations", 140, False, (
        ("The exteriors were filmed in {place} over {weeks} weeks in {year}.",
         "Exteriors for {title} were shot in {place} in {year}."),
        ("The {scene} scene was shot on location in {place}, not in the studio.",
         "The {scene} scene was filmed on location in {place}."),
    )),
    ("demo-design", "Design and costumes", 150, False, (
        ("{designer} built the {scene} set at full size on the largest stage at {studio}.",
         "{designer} built a full-size {scene} set at {studio}."),
        ("{designer} made {n} sketches of the costumes before a single one was sewn.",
         "{designer} drew {n} costume sketches for the film."),
    )),
    ("demo-box-office", "Box office", 160, False, (
        ("{title} ran for {weeks} weeks at its first cinema in {place}.",
         "{title} played for {weeks} weeks at its first cinema in {place}."),
        ("{studio} expected little of {title} and gave it only {n} prints on release.",
         "{studio} released {title} with only {n} prints."),
    )),
    ("demo-critics", "Critical response", 170, False, (
        ("Critics in {place} called the {scene} scene the finest of the year.",
         "Critics in {place} praised the {scene} scene."),
        ("{writer}'s screenplay was attacked on release and defended {later} years later.",
         "{writer}'s screenplay was criticised on release and re-evaluated later."),
    )),
    ("demo-awards", "Awards", 180, False, (
        ("{title} was nominated for {n} awards and won {m} of them.",
         "{title} won {m} of its {n} award nominations."),
        ("{cinematographer} won a prize in {place} for the photography of {title}.",
         "{cinematographer} won a photography prize in {place} for {title}."),
    )),
    ("demo-behind-the-scenes", "Behind the scenes", 190, False, (
        ("{director} and {writer} rewrote the {scene} scene overnight, {n} hours before it was shot.",
         "{director} and {writer} rewrote the {scene} scene the night before filming."),
        ("{actor} and {actor2} did not speak to each other for the last {weeks} weeks of filming.",
         "{actor} and {actor2} fell out during filming."),
    )),
    ("demo-ending", "Ending and twists", 200, True, (
        ("In the final scene {character} is revealed to have planned the whole affair.",
         "The ending reveals that {character} planned everything."),
        ("{director} shot {n} different endings and chose the darkest one.",
         "{director} filmed {n} endings and kept the darkest."),
    )),
)  # fmt: skip

ROLE_SLOTS = (
    ("director", Credit.Role.DIRECTOR),
    ("writer", Credit.Role.WRITER),
    ("producer", Credit.Role.PRODUCER),
    ("composer", Credit.Role.COMPOSER),
    ("cinematographer", Credit.Role.CINEMATOGRAPHER),
    ("designer", Credit.Role.PRODUCTION_DESIGNER),
    ("editor", Credit.Role.EDITOR),
)
ACTORS_PER_FILM = 5
