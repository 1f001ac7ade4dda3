/** Descriptive adjectives (lowercase ASCII letters only, so names match `^[a-z]+_[a-z]+\d+$`). */
export const adjectives = `adorable adventurous agreeable alert alive amused ancient angry anxious arrogant ashamed attractive
awful bad beautiful better bewildered black bloody blue blushing bored brainy brave breakable bright busy calm careful
cautious charming cheerful clean clear clever cloudy clumsy colorful combative comfortable concerned confused cooperative
courageous crazy creepy crowded cruel curious cute dangerous dark dead defeated defiant delightful depressed determined
different difficult disgusted distinct disturbed dizzy doubtful drab dull eager easy elated elegant embarrassed enchanting
encouraging energetic enthusiastic envious evil excited expensive exuberant fair faithful famous fancy fantastic fierce
filthy fine foolish fragile frail frantic friendly frightened funny gentle gifted glamorous gleaming glorious good
gorgeous graceful grieving grotesque grumpy handsome happy healthy helpful helpless hilarious homeless homely horrible
hungry hurt ill important impossible inexpensive innocent inquisitive itchy jealous jittery jolly joyous kind lazy light
lively lonely long lovely lucky magnificent misty modern motionless muddy mushy mysterious nasty naughty nervous nice
nutty obedient obnoxious odd open outrageous outstanding panicky perfect plain pleasant poised poor powerful precious
prickly proud putrid puzzled quaint real relieved repulsive rich scary selfish shiny shy silly sleepy smiling smoggy
sore sparkling splendid spotless stormy strange stupid successful super talented tame tasty tender tense terrible
thankful thoughtful thoughtless tired tough troubled ugliest ugly uninterested unsightly unusual upset uptight vast
victorious vivacious wandering weary wicked wide wild witty worried worrisome wrong zany zealous`
  .split(/\s+/)
  .filter(Boolean);

/** Surnames (lowercase ASCII letters only). */
export const surnames = `abbott acosta adams adkins aguilar albert alexander allen allison alvarado anderson andrews
armstrong arnold atkins austin avery bailey baker baldwin ball banks barber barker barnes barrett barton bass bates
beck bell bennett benson berry bishop black blair blake booth bowen bowman boyd bradley brady brewer brooks brown bryant
burke burns burton bush butler byrd caldwell campbell cannon carlson carpenter carr carroll carter castro chambers
chapman chavez clark clarke cobb cole coleman collins conner cook cooper craig crawford cross cunningham curry curtis
daniel davidson davis dawson day dean delgado dennis diaz dixon douglas doyle duncan dunn edwards elliott ellis evans
ferguson fields fisher fleming fletcher flores ford foster fowler fox francis franklin freeman fuller gardner garrett
garza george gibson gilbert gill glover gomez gonzales goodman gordon graham grant graves gray green greene gregory
griffin gross guzman hale hall hamilton hansen harmon harper harris hart harvey hawkins hayes henderson henry herrera
hicks hill hines hoffman holland holmes holt hopkins horton howard howell hudson hughes hunt hunter jackson jacobs james
jenkins jennings jensen johnson johnston jones jordan keller kelley kelly kennedy king knight lambert lane lawrence
lawson lee lewis lindsey little lloyd logan long lopez love lucas lynch mack malone mann marshall martin mason matthews
maxwell mccarthy mckinney meyer miller mills mitchell montgomery moore morales morgan morris morton moss murphy murray
myers nash neal nelson newman newton nichols norman norris obrien oliver olson ortiz owens palmer parker parks patrick
patterson payne pearson perkins perry peters peterson phillips pierce porter potter powell powers price quinn ramirez
ramos ray reed reese reeves reid reynolds rhodes rice richards richardson riley rivera roberts robertson robinson
rodgers rogers rose ross rowe russell ryan sanders santos saunders schmidt schneider schultz scott shaw shelton simmons
simpson sims smith snyder soto spencer stanley steele stephens stevens stewart stone sullivan sutton swanson tate taylor
terry thomas thompson thornton todd torres tucker turner tyler underwood vargas vaughn wade wagner walker wallace walsh
walters ward warren washington watkins watson weaver webb weber welch wells west wheeler white wiggins williams
williamson willis wilson wise wolfe wood woods wright yates young`
  .split(/\s+/)
  .filter(Boolean);
