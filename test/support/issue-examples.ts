// The example inputs written in issue 3 for `sotp score rm2000` and `sotp score osp`, shared by every test
// that scores them (CLI, service and API), so all three are checked against the same hand-worked cases.
export const rm2000Example = {
  ageAtCommencementOfRisk: 27,
  sexualAppearances: 2,
  criminalAppearances: 6,
  maleVictim: true,
  strangerVictim: false,
  singleNeverMarried: true,
  nonContactSexualOffence: false,
} as const;

export const ospExample = {
  sex: 'male',
  ageAtStartOfFollowup: 45,
  contactAdultSexualSanctions: 1,
  contactChildSexualSanctions: 0,
  nonContactSexualSanctions: 0,
  indecentImageSanctions: 0,
  ageAtLastSexualSanction: 40,
  totalSanctions: 3,
  currentOffenceAgainstStranger: true,
  inCustody: true,
  yearsSinceMostRecentOffence: 2,
  yearsSinceMostRecentSexualOffence: 2,
  yearsSinceStartOfFollowup: 0,
} as const;
