import {
  CATEGORY_LABELS,
  CONTROL_LABELS,
  type ControlType,
  controlTypesFor,
  FUEL_LABELS,
  type Fuel,
  fuelsFor,
  VEHICLE_CATEGORIES,
  type VehicleCategory,
  type VehicleProfile,
} from '../domain/vehicle-profile.js';

/** Vehicle category, fuel and control type: asked first, they decide duration, price and centres. */
export function ProfileFields({
  profile,
  onChange,
  showControl = true,
}: {
  profile: VehicleProfile;
  onChange: (profile: VehicleProfile) => void;
  showControl?: boolean;
}) {
  const fuels = fuelsFor(profile.category);
  const controls = controlTypesFor(profile.category);
  const setCategory = (category: VehicleCategory) =>
    onChange({
      category,
      fuel: fuelsFor(category).includes(profile.fuel) ? profile.fuel : 'Essence',
      controlType: controlTypesFor(category).includes(profile.controlType) ? profile.controlType : 'CTP',
    });
  return (
    <fieldset className="profile">
      <legend>Votre véhicule</legend>
      <div className="field">
        <label htmlFor="category">Type de véhicule</label>
        <select
          id="category"
          value={profile.category}
          onChange={(event) => setCategory(event.target.value as VehicleCategory)}
        >
          {VEHICLE_CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {CATEGORY_LABELS[category]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="fuel">Énergie</label>
        <select
          id="fuel"
          value={profile.fuel}
          onChange={(event) => onChange({ ...profile, fuel: event.target.value as Fuel })}
        >
          {fuels.map((fuel) => (
            <option key={fuel} value={fuel}>
              {FUEL_LABELS[fuel]}
            </option>
          ))}
        </select>
      </div>
      {showControl ? (
        <div className="field">
          <label htmlFor="controlType">Type de contrôle</label>
          <select
            id="controlType"
            value={profile.controlType}
            onChange={(event) => onChange({ ...profile, controlType: event.target.value as ControlType })}
          >
            {controls.map((control) => (
              <option key={control} value={control}>
                {CONTROL_LABELS[control]}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </fieldset>
  );
}
